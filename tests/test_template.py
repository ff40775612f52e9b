"""Student stubs are generated from the solution and never leak it."""

import pytest

from autograder.errors import ConfigError
from autograder.spec import load_assignment
from autograder.template import release_files, release_problems, solution_lines, strip_solutions

SOLUTION = '''\
def area(w, h):
    """Area of a w×h rectangle."""
    # BEGIN SOLUTION
    result = w * h
    return result
    # END SOLUTION
'''


def test_solution_block_becomes_raise_not_implemented_at_its_indent():
    assert strip_solutions(SOLUTION) == (
        'def area(w, h):\n    """Area of a w×h rectangle."""\n    raise NotImplementedError\n'
    )


def test_unclosed_block_names_its_line():
    with pytest.raises(ConfigError, match="sol.py:2: # BEGIN SOLUTION is never closed"):
        strip_solutions("x = 1\n# BEGIN SOLUTION\ny = 2\n", "sol.py")


def test_end_without_begin_is_an_error():
    with pytest.raises(ConfigError, match="without a # BEGIN SOLUTION"):
        strip_solutions("# END SOLUTION\n")


def test_solution_lines_are_what_the_blocks_hold():
    assert solution_lines(SOLUTION) == {"result = w * h", "return result"}


def test_committed_student_template_is_up_to_date_and_leaks_nothing():
    assert release_problems(load_assignment("cnn")) == []


def test_release_holds_stubs_readme_and_public_tests_only():
    files = release_files(load_assignment("cnn"))
    assert "cnn.py" in files and "README.md" in files and "conftest.py" in files
    assert all(name in ("cnn.py", "README.md") or name.endswith(".py") for name in files)
    assert not any("hidden" in name for name in files)


def test_every_stub_function_raises_not_implemented():
    stub = release_files(load_assignment("cnn"))["cnn.py"].decode()
    namespace: dict = {}
    exec(compile(stub, "cnn.py", "exec"), namespace)
    for question in load_assignment("cnn").questions:
        with pytest.raises(NotImplementedError):
            namespace[question](*([None] * namespace[question].__code__.co_argcount))
