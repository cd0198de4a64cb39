namespace Amber.Import;

/// <summary>One thing an importer did not import exactly as given, and what (a field name, a record kind, "model from default_model_slug").</summary>
public sealed record ImportNote(ImportNoteKind Kind, string Subject);
