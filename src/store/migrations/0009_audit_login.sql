-- Who did it, as the operating system knows it: the login name and uid of
-- the process that wrote each audit and alert-history row, next to the
-- acting name (`--as`, OPSDECK_USER, config `user`). Rows written before
-- this version have NULL (not known).
ALTER TABLE audit ADD COLUMN login TEXT;
ALTER TABLE audit ADD COLUMN uid INTEGER;
ALTER TABLE alert_events ADD COLUMN login TEXT;
ALTER TABLE alert_events ADD COLUMN uid INTEGER;
