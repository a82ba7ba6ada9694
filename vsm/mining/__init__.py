"""Mining ticket histories: an event log (CSV or XLSX, one row per event) into a measured map.

The modules, in the order the work goes through them:

- `columns`: which column holds the case, the activity, the time and the group, given by name
  or recognised from the headers of common exports (with "did you mean" for a wrong name);
- `times`: timestamps into seconds since the epoch in UTC (ISO 8601, day-first or month-first
  when the data settles it, or a strptime format);
- `events`: the rows streamed into cases of events, bad rows skipped and counted;
- `visits`: each case's events sorted into visits of steps, their durations, the routes between
  steps and the lead times, with percentiles;
- `build`: the map itself: steps with their times, ranges, counts and notes, flows that
  reproduce the measured exit probabilities exactly, zero-time start and end steps, the layout;
- `mine`: the whole run, `mine_log(path, MiningOptions(...))`.

docs/mining.md describes the rules with a worked example. Pure Python: no Qt; files are read
through vsm.files.sheets (the one CSV and XLSX reader).
"""
