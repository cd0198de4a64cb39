namespace Amber.Import;

/// <summary>One imported file: its format and what it contributed (zero everywhere if it failed).</summary>
public sealed record ImportFileResult(string File, string Format)
{
    public int Conversations { get; set; }

    public int Nodes { get; set; }

    public int Instances { get; set; }

    public int NewConversations { get; set; }

    public int NewNodes { get; set; }

    public long RawBytes { get; set; }

    public string? Error { get; set; }

    /// <summary>How many of the file's conversations each <see cref="ImportedConversation.Notes"/> phrase applied to.</summary>
    public SortedDictionary<string, int> Notes { get; } = new(StringComparer.Ordinal);
}
