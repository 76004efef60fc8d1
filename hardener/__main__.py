from hardener.cli import main

main()
