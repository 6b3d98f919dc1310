from __future__ import annotations

if __name__ == "__main__":
    import gc

    gc.disable()  # until linting starts (see cli.program): importing the command line allocates too

    from .cli import program

    program()
