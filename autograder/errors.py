"""The exceptions the framework raises, and who they are for.

    AutograderError            base: the CLI prints its message, without a traceback
    ├── ConfigError            an assignment folder or its config is wrong (for instructors:
    │                          names the file and the key)
    ├── SubmissionError        a submission cannot be graded at all (for students: one clear
    │                          line, e.g. "no cnn.py in the submission")
    └── GraderFault            the grader itself failed (for staff: keep the traceback)

Faults inside student code are not exceptions of the grader: the sandbox reports them as
data (see ``autograder.sandbox``), and the suite turns them into failed tests.
"""


class AutograderError(Exception):
    """Base of every error the framework raises on purpose."""


class ConfigError(AutograderError):
    """An assignment folder or config value is missing or invalid."""


class SubmissionError(AutograderError):
    """A submission cannot be graded at all; the message is shown to the student."""


class GraderFault(AutograderError):
    """The grader failed through no fault of the submission; staff must look."""
