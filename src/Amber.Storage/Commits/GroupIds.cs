namespace Amber.Storage.Commits;

/// <summary>
/// The node, blob and model ids that the commits of one group have added so far, so a later commit in the
/// group can build on them (conversations and annotations too). A commit that fails validation takes its own ids back out.
/// </summary>
internal sealed class GroupIds
{
    private readonly List<(HashSet<string> Set, string Id)> added = [];

    public HashSet<string> Nodes { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Blobs { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Models { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Conversations { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Annotations { get; } = new(StringComparer.Ordinal);

    public void Add(HashSet<string> set, string id)
    {
        if (set.Add(id))
        {
            added.Add((set, id));
        }
    }

    public void Accept() => added.Clear();

    public void Rollback()
    {
        foreach (var (set, id) in added)
        {
            set.Remove(id);
        }

        added.Clear();
    }
}
