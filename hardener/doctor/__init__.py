"""``optimize-harden doctor``: prove that the hardening holds, in files and on the wire.

``check`` judges the text of a config; doctor opens what the config names. Without
``--connect`` it reads files only (the environment file, the keystore, the database CA files);
with it, it talks to the services the config or ``--url`` name, concurrently and each
connection bounded by the timeout. Findings have check's shape, so check's report renderers,
formats and exit codes apply unchanged.

Modules: ``files`` (variables, env file, keystore, certificates), ``tls`` (one bounded TLS or
HTTP exchange), ``connect`` (the targets and their concurrent probing), ``run`` (orchestration
and the report). The rule definitions live in the one registry, ``check.rules.doctor``.
"""
