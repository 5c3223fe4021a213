"""The workbook layer: column layouts as data, the streaming writer and the importer
skeleton shared by every import and export."""
