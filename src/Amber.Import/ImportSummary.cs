namespace Amber.Import;

/// <summary>What an import run did, per file and in total.</summary>
public sealed record ImportSummary
{
    public List<ImportFileResult> Files { get; } = [];

    public List<string> Errors { get; } = [];

    /// <summary>Files of export folders that were not opened (links leading out, FIFOs, devices), with the reason.</summary>
    public List<SkippedFile> Skipped { get; } = [];

    /// <summary>Files of folders and zips not read as conversations (their extension is not one a format reads); assets a conversation links are still read.</summary>
    public List<string> Ignored { get; } = [];

    public int Conversations => Files.Sum(f => f.Conversations);

    public int Nodes => Files.Sum(f => f.Nodes);

    public int Instances => Files.Sum(f => f.Instances);

    public int NewConversations => Files.Sum(f => f.NewConversations);

    public int NewNodes => Files.Sum(f => f.NewNodes);

    public long RawBytes => Files.Sum(f => f.RawBytes);

    public bool Ok => Errors.Count == 0;
}
