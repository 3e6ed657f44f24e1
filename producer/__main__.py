from .cli import main

if __name__ == "__main__":  # not in a child process the analysis spawns (stages.level)
    raise SystemExit(main())
