namespace Amber.Import;

/// <summary>What an importer could not do exactly as the source said; every kind is counted in the import summary.</summary>
public enum ImportNoteKind
{
    /// <summary>A source field that no normalized node or record carries (it stays in the raw source only).</summary>
    UnmappedField,

    /// <summary>A source record that could not be placed in a conversation tree (kept in the raw source only).</summary>
    UnplacedRecord,

    /// <summary>A generated turn whose model the source does not state for it; the model credited was inferred.</summary>
    InferredModel,

    /// <summary>
    /// Something the format had to decide that the source does not state (an id derived from the content, records
    /// grouped into conversations by a rule, a named file not found); the subject is the phrase saying which, counted
    /// once per conversation it applied to.
    /// </summary>
    Decision,
}
