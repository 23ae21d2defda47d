"""The hostile corpus (issue 12, item 7): requests an attacker would send, kept as data.

`model` says what a case is (its requests and what must hold), `cases_*` hold the cases by
category, `client` sends them to a real running service (a loopback WSGI server, or the service
inside a network namespace) and `checks` are the escape checks a case may ask for. The runners are
`tests/test_hostile_corpus.py`, `tests/test_hostile_admin.py` and `tests/test_hostile_ssrf.py`.
"""
