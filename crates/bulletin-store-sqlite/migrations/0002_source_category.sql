-- Sources can be filed in a category (OPML folders: "News / World").
ALTER TABLE sources ADD COLUMN category TEXT;
