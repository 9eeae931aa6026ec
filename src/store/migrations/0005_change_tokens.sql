-- opsdeck schema 5: change tokens, maintained on write. Additive only.
--
-- The screens keep the work items they read between reloads (a year of
-- orders is the largest read of the cockpit). To know whether the table
-- changed since, without reading it, every insert, update and delete of a
-- work item, by opsdeck or by any other program, draws a new random token in
-- the same transaction. A reader that finds the token it saw knows the rows
-- are the ones it holds. A random token, not a counter: a rolled-back
-- transaction or a restored backup can bring a counter back to a value
-- already seen, with other rows behind it.
CREATE TABLE change_tokens (
    name  TEXT PRIMARY KEY,
    token INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO change_tokens (name, token) VALUES ('work_items', random());

CREATE TRIGGER work_items_token_on_insert AFTER INSERT ON work_items
BEGIN
    UPDATE change_tokens SET token = random() WHERE name = 'work_items';
END;
CREATE TRIGGER work_items_token_on_update AFTER UPDATE ON work_items
BEGIN
    UPDATE change_tokens SET token = random() WHERE name = 'work_items';
END;
CREATE TRIGGER work_items_token_on_delete AFTER DELETE ON work_items
BEGIN
    UPDATE change_tokens SET token = random() WHERE name = 'work_items';
END;
