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

    /// <summary>What the format did not import exactly as given, counted per kind and subject.</summary>
    public ImportNoteCounts Notes { get; } = new();
}
