namespace Amber.Import;

/// <summary>
/// A file's <see cref="ImportNote"/>s counted per kind and subject; at most <see cref="MaxSubjects"/> subjects a
/// kind, the rest counted under <see cref="Other"/>, so a file of a million odd records stays a short list.
/// </summary>
public sealed class ImportNoteCounts
{
    public const int MaxSubjects = 50;

    public const string Other = "(other)";

    private readonly Dictionary<ImportNoteKind, SortedDictionary<string, int>> counts = [];

    public bool IsEmpty => counts.Count == 0;

    public void Add(ImportNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (!counts.TryGetValue(note.Kind, out var subjects))
        {
            counts[note.Kind] = subjects = new SortedDictionary<string, int>(StringComparer.Ordinal);
        }

        var key = subjects.ContainsKey(note.Subject) || subjects.Count < MaxSubjects ? note.Subject : Other;
        subjects[key] = subjects.GetValueOrDefault(key) + 1;
    }

    /// <summary>Forgets every note (a file that failed committed nothing, so it reports nothing it decided).</summary>
    public void Clear() => counts.Clear();

    /// <summary>The subjects of one kind with their counts, by subject.</summary>
    public IReadOnlyDictionary<string, int> Of(ImportNoteKind kind) => counts.TryGetValue(kind, out var s) ? s : new SortedDictionary<string, int>();

    public int Total(ImportNoteKind kind) => Of(kind).Values.Sum();
}
