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

    internal ArchiveLog(string origin, NoteVerifierKey verifierKey, NoteSigner? signer, IEnumerable<byte[]> leafHashes, SignedNote? latest)
    {
        Origin = origin;
        VerifierKey = verifierKey;
        this.signer = signer;
        tree = new MerkleTree(leafHashes);
        this.latest = latest;
    }

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
            return new Checkpoint(Origin, tree.Size, tree.Root).Sign(s);
        }
    }

    internal void SetLatest(SignedNote note)
    {
        lock (gate)
        {
            latest = note;
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
