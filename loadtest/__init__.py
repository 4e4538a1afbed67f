"""Load test and scaling benchmark of a deployed escala stack (`make load`, `make bench`).

Modules that import locust (the locustfiles) are run by locust only: importing locust
monkey-patches the process with gevent. Everything else here is plain Python.
"""
