"""Running the autograder on Gradescope: the zip's entry point and a local replica of
Gradescope's layout.

``entry`` is what the zip's ``run_otter.py`` calls on Gradescope; ``emulate`` runs a built
zip the way Gradescope does (an ``/autograder`` tree of its own, the zip's environment in
a virtualenv), for the tests, the benchmark and instructors checking a zip before upload.
"""
