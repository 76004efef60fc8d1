"""init: scaffold a ready-to-use installation folder, all or nothing.

``scaffold`` decides what goes in it (config through ``hardener.generate``, ``.env`` files from
``envfile`` and ``secretgen``, the operator's checklist, snippets, a dev keystore from
``devcert``), ``interview`` asks for missing site values on a terminal, and ``staging`` builds
everything in a temporary sibling folder and moves it into place.
"""
