using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;
using Amber.Transparency.Receipts;
using Amber.Transparency.Tiles;

namespace Amber.Storage.Log;

/// <summary>
/// The archive's transparency log: an RFC 6962 Merkle tree whose entries are the commit info records, in
/// commit order (entry index = commit sequence − 1), and the C2SP checkpoints signed over it. Thread-safe.
/// </summary>
public sealed class ArchiveLog : IDisposable
{
    private readonly Lock gate = new();
    private readonly MerkleTree tree;
    private readonly NoteSigner? signer;
    private SignedNote? latest;

    internal ArchiveLog(string origin, NoteVerifierKey verifierKey, NoteSigner? signer, MerkleTree tree, SignedNote? latest)
    {
        Origin = origin;
        VerifierKey = verifierKey;
        this.signer = signer;
        this.tree = tree;
        this.latest = latest;
    }

    /// <summary>
    /// Why the loaded leaves cannot be trusted (they disagree with the segments or a signed checkpoint), or null.
    /// While set, nothing is signed and no proof is served.
    /// </summary>
    public string? Problem { get; internal set; }

    /// <summary>The checkpoint origin line and the signing key's name.</summary>
    public string Origin { get; }

    public NoteVerifierKey VerifierKey { get; }

    public NoteVerifier Verifier => new(VerifierKey);

    public long Size
    {
        get
        {
            lock (gate)
            {
                return tree.Size;
            }
        }
    }

    /// <summary>The newest signed checkpoint stored in the archive, if any.</summary>
    public SignedNote? LatestCheckpoint
    {
        get
        {
            lock (gate)
            {
                return latest;
            }
        }
    }

    public long LatestCheckpointSize => LatestCheckpoint is { } n ? Checkpoint.Parse(n.Text).Size : 0;

    internal void Append(ReadOnlySpan<byte> entry)
    {
        lock (gate)
        {
            tree.AppendEntry(entry);
        }
    }

    internal void AppendLeafHashes(IEnumerable<byte[]> hashes)
    {
        lock (gate)
        {
            foreach (var h in hashes)
            {
                tree.AppendLeafHash(h);
            }
        }
    }

    /// <summary>Signs a checkpoint over the whole tree as it stands.</summary>
    internal SignedNote SignCheckpoint()
    {
        lock (gate)
        {
            var s = signer ?? throw new InvalidOperationException("This archive's signing key is not available to this process.");
            ThrowIfUntrusted();

            // The new checkpoint must extend the last one signed: its root over the leaves it covered must not have moved.
            if (latest is not null)
            {
                var previous = Checkpoint.Parse(latest.Text);
                if (!tree.Covers(previous))
                {
                    Problem = $"the log's leaves no longer give the root of the checkpoint signed at size {previous.Size}";
                    ThrowIfUntrusted();
                }
            }

            return new Checkpoint(Origin, tree.Size, tree.Root).Sign(s);
        }
    }

    /// <summary>
    /// In a reading process: takes a checkpoint read from the index only if its signature holds and the loaded leaves
    /// give its root; otherwise the log is marked untrusted (<see cref="Problem"/>).
    /// </summary>
    internal void AcceptCheckpoint(SignedNote note)
    {
        lock (gate)
        {
            var opened = Checkpoint.Verify(note, new NoteVerifier(VerifierKey), Origin);
            var problem = !opened.IsValid ? $"a checkpoint in the index does not verify: {opened.Failure}"
                : opened.Checkpoint!.Size > tree.Size ? $"a checkpoint covers {opened.Checkpoint.Size} entries but the index holds {tree.Size}"
                : !tree.Covers(opened.Checkpoint) ? $"the index's log leaves do not give the root signed at size {opened.Checkpoint.Size}"
                : null;
            if (problem is not null)
            {
                Problem = problem;
                return;
            }

            latest = note;
        }
    }

    private void ThrowIfUntrusted()
    {
        if (Problem is { } p)
        {
            throw new CorruptArchiveException($"The transparency log cannot be trusted: {p}. Run `amber verify`; `amber index rebuild` rebuilds the index from the segments.");
        }
    }

    internal void SetLatest(SignedNote note)
    {
        lock (gate)
        {
            latest = note;
        }
    }

    /// <summary>The leaf hash of entry <paramref name="index"/> (0-based).</summary>
    public byte[] LeafHash(long index)
    {
        lock (gate)
        {
            return tree.GetLeafHash(index);
        }
    }

    public byte[] Root(long size)
    {
        lock (gate)
        {
            return tree.GetRoot(size);
        }
    }

    /// <summary>A c2sp.org/tlog-proof@v1 receipt for entry <paramref name="index"/> against the latest checkpoint.</summary>
    public TlogProof Prove(long index, ReadOnlySpan<byte> entry)
    {
        lock (gate)
        {
            ThrowIfUntrusted();
            var cp = latest ?? throw new InvalidOperationException("The log has no checkpoint yet.");
            var size = Checkpoint.Parse(cp.Text).Size;
            if (size > tree.Size)
            {
                throw new InvalidOperationException($"The latest checkpoint covers {size} entries but only {tree.Size} are loaded; try again.");
            }

            if (index >= size)
            {
                throw new InvalidOperationException($"Entry {index} is not yet covered by a checkpoint (the latest covers {size} entries); try again in a moment.");
            }

            return new TlogProof(index, tree.GetInclusionProof(index, size), cp, entry.ToArray());
        }
    }

    public IReadOnlyList<byte[]> ConsistencyProof(long oldSize, long newSize)
    {
        lock (gate)
        {
            return tree.GetConsistencyProof(oldSize, newSize);
        }
    }

    /// <summary>The bytes of a hash tile, for tlog-tiles clients (bounded by the latest checkpoint).</summary>
    public byte[]? HashTile(TilePath path)
    {
        lock (gate)
        {
            var size = latest is null ? 0 : Checkpoint.Parse(latest.Text).Size;
            var width = TilePath.WidthAt(path.Level, path.Index, size);
            if (width == 0 || (path.Width != width && !(path.Width < width)))
            {
                return null;
            }

            return TileBuilder.BuildHashTile(tree, path);
        }
    }

    public void Dispose() => signer?.Dispose();
}
