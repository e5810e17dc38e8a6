"""Development only: synthetic supporters and the demo campaign (the way Zulip keeps `zilencer`).

Nothing in a feature app imports this package; it imports the apps' services to seed them.
Used by `groundswell demo`, `groundswell generate`, the benchmarks and the tests.
"""
