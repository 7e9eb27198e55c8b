"""What every CSV import shares beyond the file itself: a record of each run, and the identity
of each row it wrote, so that a file given again carries on where it stopped and adds nothing
twice (``casework.imports.runs``)."""
