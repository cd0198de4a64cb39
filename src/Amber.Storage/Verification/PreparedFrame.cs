using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Core.Model;
using Amber.Storage.Format;
using Amber.Storage.Index;

namespace Amber.Storage.Verification;

/// <summary>
/// The work on one commit frame that needs nothing from the frames before it (they are independent once located, given
/// the dictionaries before them): decompress and unpack, and for each entry its canonical form, and for each node its
/// id and parse. The segment scan prepares frames on the thread pool, ahead of the frame it checks, and checks each in
/// file order with what was prepared, so faults come out in the order they always did (<see cref="ArchiveVerifier"/>).
/// </summary>
internal sealed class PreparedFrame
{
    private PreparedFrame(IndexedCommit? commit, Exception? failure, int entries)
    {
        Commit = commit;
        Failure = failure;
        Canonical = new string?[entries];
        NodeIds = new string?[entries];
        Nodes = new Node?[entries];
        NodeErrors = new Exception?[entries];
    }

    /// <summary>The decoded commit, or null when it does not decode (<see cref="Failure"/>).</summary>
    public IndexedCommit? Commit { get; }

    public Exception? Failure { get; }

    /// <summary>Per entry: null when in canonical form (or not checked), else what is wrong, to follow "{what}".</summary>
    public string?[] Canonical { get; }

    /// <summary>Per node entry: the node's id.</summary>
    public string?[] NodeIds { get; }

    /// <summary>Per node entry: the node parsed strictly, or the error parsing it threw (<see cref="NodeErrors"/>).</summary>
    public Node?[] Nodes { get; }

    public Exception?[] NodeErrors { get; }

    /// <summary>The same preparation of another commit (tests hand the index audit a commit changed after it was read).</summary>
    internal PreparedFrame WithCommit(IndexedCommit commit)
    {
        var p = new PreparedFrame(commit, Failure, Canonical.Length);
        Canonical.CopyTo(p.Canonical, 0);
        NodeIds.CopyTo(p.NodeIds, 0);
        Nodes.CopyTo(p.Nodes, 0);
        NodeErrors.CopyTo(p.NodeErrors, 0);
        return p;
    }

    /// <summary>Per entry, the node id and node found here, for the index audit's derivation (<see cref="IndexRowDeriver.Apply"/>), so neither is computed twice.</summary>
    public (string? Id, Node? Node)[] ParsedNodes()
    {
        var parsed = new (string?, Node?)[NodeIds.Length];
        for (var i = 0; i < parsed.Length; i++)
        {
            parsed[i] = (NodeIds[i], Nodes[i]);
        }

        return parsed;
    }

    /// <summary>Time spent in each of <see cref="ScanClock.Names"/>' kinds of work.</summary>
    public long[] Ticks { get; } = new long[ScanClock.Names.Length];

    /// <summary>
    /// Prepares a commit frame, with a <paramref name="compression"/> of this thread's own: one prepared commit, or one
    /// per commit of a merged frame (kind 4), or one that failed.
    /// </summary>
    public static PreparedFrame[] Prepare(uint segment, long offset, byte[] frame, Compression compression, TimeProvider time)
    {
        var t = time.GetTimestamp();
        long decodeTicks = 0;
        IReadOnlyList<IndexedCommit> commits;
        try
        {
            var header = RecordFrame.ReadHeader(frame);
            var decoded = compression.Decode(header, RecordFrame.Payload(frame));
            var d = time.GetTimestamp();
            (decodeTicks, t) = (d - t, d);
            commits = Catalogue.ArchiveCatalogue.DecodeCommits(segment, offset, header, frame.Length, decoded);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [new PreparedFrame(null, e, 0)];
        }

        var splitTicks = time.GetTimestamp() - t;
        var prepared = new PreparedFrame[commits.Count];
        for (var k = 0; k < commits.Count; k++)
        {
            prepared[k] = PrepareCommit(commits[k], time);
        }

        prepared[0].Ticks[1] += decodeTicks;
        prepared[0].Ticks[6] += splitTicks;
        return prepared;
    }

    private static PreparedFrame PrepareCommit(IndexedCommit commit, TimeProvider time)
    {
        var t = time.GetTimestamp();
        var p = new PreparedFrame(commit, null, commit.Entries.Count);
        for (var i = 0; i < commit.Entries.Count; i++)
        {
            var e = commit.Entries[i];
            var body = e.Body.Span;
            switch (e.Type)
            {
                case EntryType.Node:
                    p.NodeIds[i] = ContentId.Of(body);
                    t = p.Add(2, t, time);
                    p.Canonical[i] = CanonicalProblem(body);
                    t = p.Add(3, t, time);
                    (p.Nodes[i], p.NodeErrors[i]) = Parse(body, canonical: p.Canonical[i] is null);

                    t = p.Add(4, t, time);
                    break;
                case EntryType.Info or EntryType.Model or EntryType.Conversation or EntryType.Annotation or EntryType.Membership:
                    p.Canonical[i] = CanonicalProblem(body);
                    t = p.Add(5, t, time);
                    break;
            }
        }

        return p;
    }

    /// <summary>
    /// A node parsed strictly, or the error doing so threw. Canonical bytes have no repeated member name, so the one-pass
    /// reader of stored nodes gives the same node as the strict parse (property tests hold them to it) at a fraction of
    /// its cost; when it fails, or the bytes are not canonical, the strict parse decides, so the error reads as before.
    /// </summary>
    private static (Node? Node, Exception? Error) Parse(ReadOnlySpan<byte> body, bool canonical)
    {
        if (canonical)
        {
            try
            {
                return (Node.FromStoredBytes(body), null);
            }
            catch (Exception x) when (x is not OutOfMemoryException)
            {
                // the strict parse names it
            }
        }

        try
        {
            return (Node.FromCanonicalBytes(body), null);
        }
        catch (Exception x) when (x is not OutOfMemoryException)
        {
            return (null, x);
        }
    }

    /// <summary>
    /// Null when <paramref name="body"/> is JSON in canonical form; else what is wrong with it. The one-pass check
    /// (<see cref="CanonicalCheck"/>) answers most; what it cannot vouch for is canonicalized, as it always was.
    /// </summary>
    internal static string? CanonicalProblem(ReadOnlySpan<byte> body)
    {
        if (CanonicalCheck.IsCanonical(body))
        {
            return null;
        }

        try
        {
            return CanonicalJson.Canonicalize(body).AsSpan().SequenceEqual(body) ? null : " is not in canonical form.";
        }
        catch (CanonicalJsonException e)
        {
            return $" is not valid JSON: {e.Message}";
        }
    }

    private long Add(int slot, long since, TimeProvider time)
    {
        var now = time.GetTimestamp();
        Ticks[slot] += now - since;
        return now;
    }
}
