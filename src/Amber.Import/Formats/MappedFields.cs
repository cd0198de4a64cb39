using System.Text.Json.Nodes;

namespace Amber.Import.Formats;

/// <summary>
/// The members of one kind of source object that a format maps (into a node, the conversation record, their meta
/// or a model), written once per format where the format reads an object member by member instead of copying what
/// it does not model into meta. Any other member is kept in the raw source only, and reported as an unmapped field.
/// </summary>
internal sealed class MappedFields
{
    private readonly string scope;
    private readonly HashSet<string> names;

    /// <param name="scope">The object's place in the source, prefixed to the field's name ("turn_context", "mapping[]"); "" for the conversation object itself.</param>
    /// <param name="names">The members the format maps.</param>
    public MappedFields(string scope, params string[] names)
    {
        this.scope = scope;
        this.names = new HashSet<string>(names, StringComparer.Ordinal);
    }

    /// <summary>The subject naming <paramref name="field"/> of this object in notes: "scope.field".</summary>
    public string Subject(string field) => scope.Length == 0 ? field : scope + "." + field;

    /// <summary>The members of <paramref name="o"/> that are not mapped and hold something (not null, not an empty object, array or string).</summary>
    public IEnumerable<string> Unmapped(JsonObject? o)
        => o is null ? [] : o.Where(p => !names.Contains(p.Key) && !IsEmpty(p.Value)).Select(p => Subject(p.Key));

    /// <summary>
    /// One <see cref="ImportNoteKind.UnmappedField"/> note per distinct subject of <paramref name="subjects"/>: a field is
    /// counted once per conversation it was left out of, however many of the conversation's objects held it.
    /// </summary>
    public static IEnumerable<ImportNote> Notes(IEnumerable<string> subjects)
        => subjects.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(s => new ImportNote(ImportNoteKind.UnmappedField, s));

    private static bool IsEmpty(JsonNode? value) => value switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        JsonValue v => v.TryGetValue(out string? s) && s.Length == 0,
        _ => false,
    };
}
