"""merge: harden an existing config without disturbing anything else the user wrote.

``decide`` chooses per profile setting what to add, replace, keep or waive (judging values as
``hardener.model`` says Optimize holds them); ``edit`` turns the choices into text splices;
``preserve`` proves every other line unchanged; ``inplace`` writes under a lock with
compare-and-swap; ``report`` prints what happened.
"""
