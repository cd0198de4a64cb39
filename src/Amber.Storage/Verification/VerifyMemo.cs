using System.Security.Cryptography;
using System.Text;
using Amber.Core.Hashing;

namespace Amber.Storage.Verification;

/// <summary>
/// The bytes of <c>verify.memo</c> (docs/format/verify-memo.md): for each unit verify deep-checked without a fault, the
/// SHA-256 of the bytes it read and what the check handed on, under the check version and an HMAC-SHA256 keyed from the
/// log's signing key, so a memo written by anyone without that key is detected.
/// </summary>
internal sealed class VerifyMemo
{
    public const string FileName = "verify.memo";

    /// <summary>Bumped whenever a deep check changes: a memo from another version is ignored and every unit re-checked.</summary>
    public const int CheckVersion = 1;

    /// <summary>2: a segment's ids kept as one length-prefixed section read only when needed, with its counts and external blobs beside it.</summary>
    private const int FormatVersion = 2;
    private static readonly byte[] Magic = "AMBVMEMO"u8.ToArray();

    public required string ArchiveId { get; init; }

    /// <summary>What the checks depended on besides the bytes (the keys this process could use).</summary>
    public required byte[] Context { get; init; }

    public int Version { get; init; } = CheckVersion;

    public Dictionary<string, SegmentRecord> Segments { get; } = new(StringComparer.Ordinal);

    public IndexRecord? Index { get; set; }

    /// <summary>External blob files (hex name) whose content was checked, with the SHA-256 of the file's bytes.</summary>
    public Dictionary<string, byte[]> BlobFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>One segment deep-checked: its bytes, the chain binding every segment before it, and what it handed on.</summary>
    internal sealed record SegmentRecord(string Name, long Length, byte[] Sha256, byte[] Chain, string CheckedAt, SegmentDelta Delta);

    /// <summary>The index audited against the segments whose chain is <paramref name="Chain"/>.</summary>
    internal sealed record IndexRecord(byte[] Database, byte[] Wal, byte[] Chain, string CheckedAt, IReadOnlyList<string> Notes);

    /// <summary>The memo's MAC key: HKDF-SHA256 of the log's private key, salted with the archive id.</summary>
    public static byte[] Key(string privateKey, string archiveId) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(privateKey), 32, Encoding.UTF8.GetBytes(archiveId), "amber verify.memo v1"u8.ToArray());

    public byte[] ToBytes(byte[] key)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(Version);
            w.Write(ArchiveId);
            w.Write(Context);
            w.Write(Segments.Count);
            foreach (var s in Segments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                WriteSegment(w, s);
            }

            w.Write(Index is not null);
            if (Index is { } x)
            {
                w.Write(x.Database);
                w.Write(x.Wal);
                w.Write(x.Chain);
                w.Write(x.CheckedAt);
                w.Write(x.Notes.Count);
                foreach (var n in x.Notes)
                {
                    w.Write(n);
                }
            }

            w.Write(BlobFiles.Count);
            foreach (var (hex, sha) in BlobFiles.OrderBy(b => b.Key, StringComparer.Ordinal))
            {
                w.Write(hex);
                w.Write(sha);
            }
        }

        var body = ms.ToArray();
        return [.. body, .. HMACSHA256.HashData(key, body)];
    }

    /// <summary>Parses and authenticates a memo; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static VerifyMemo Parse(byte[] bytes, byte[] key)
    {
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new FormatException("not a verify memo");
        }

        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, body), bytes.AsSpan(bytes.Length - 32)))
        {
            throw new FormatException("its MAC does not match this archive's key (forged, edited or damaged)");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            r.ReadBytes(Magic.Length);
            if (r.ReadInt32() is var format && format != FormatVersion)
            {
                throw new FormatException($"it is in memo format {format}, this amber writes format {FormatVersion}");
            }

            var memo = new VerifyMemo { Version = r.ReadInt32(), ArchiveId = r.ReadString(), Context = r.ReadBytes(32) };
            for (var n = r.ReadInt32(); n > 0; n--)
            {
                var s = ReadSegment(r);
                memo.Segments[s.Name] = s;
            }

            if (r.ReadBoolean())
            {
                var (db, wal, chain, at) = (r.ReadBytes(32), r.ReadBytes(32), r.ReadBytes(32), r.ReadString());
                var notes = new List<string>();
                for (var n = r.ReadInt32(); n > 0; n--)
                {
                    notes.Add(r.ReadString());
                }

                memo.Index = new IndexRecord(db, wal, chain, at, notes);
            }

            for (var n = r.ReadInt32(); n > 0; n--)
            {
                memo.BlobFiles[r.ReadString()] = r.ReadBytes(32);
            }

            return memo;
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("it ends early", e);
        }
    }

    private static void WriteSegment(BinaryWriter w, SegmentRecord s)
    {
        var d = s.Delta;
        w.Write(s.Name);
        w.Write(s.Length);
        w.Write(s.Sha256);
        w.Write(s.Chain);
        w.Write(s.CheckedAt);
        w.Write(d.Frames);
        w.Write(d.End);
        w.Write(d.HadFooter);
        w.Write(d.LastSeq);
        w.Write(d.LatestCheckpoint);
        w.Write(d.NodeCount);
        w.Write(d.NewBlobs);
        w.Write(d.External.Count);
        foreach (var (id, size) in d.External)
        {
            WriteId(w, id);
            w.Write(size);
        }

        var ids = d.EncodedIds ?? EncodeIds(d);
        w.Write(ids.Length);
        w.Write(ids);
        w.Write(d.LogLeaves.Count);
        foreach (var leaf in d.LogLeaves)
        {
            w.Write(leaf);
        }

        w.Write(d.Dictionaries.Count);
        foreach (var off in d.Dictionaries)
        {
            w.Write(off);
        }
    }

    private static SegmentRecord ReadSegment(BinaryReader r)
    {
        var (name, length, sha, chain, at) = (r.ReadString(), r.ReadInt64(), r.ReadBytes(32), r.ReadBytes(32), r.ReadString());
        var (frames, end, hadFooter, lastSeq, latest) = (r.ReadInt64(), r.ReadInt64(), r.ReadBoolean(), r.ReadInt64(), r.ReadInt64());
        var (nodeCount, newBlobs) = (r.ReadInt32(), r.ReadInt32());
        var external = new List<(string, long)>();
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            external.Add((ReadId(r), r.ReadInt64()));
        }

        var idsLength = r.ReadInt32();
        if (idsLength < 0 || idsLength > r.BaseStream.Length - r.BaseStream.Position || nodeCount < 0 || newBlobs < 0)
        {
            throw new EndOfStreamException();
        }

        var ids = r.ReadBytes(idsLength);

        var d = new SegmentDelta(ids, nodeCount, newBlobs) { Frames = frames, End = end, HadFooter = hadFooter, LastSeq = lastSeq, LatestCheckpoint = latest };
        d.External.AddRange(external);
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            d.LogLeaves.Add(r.ReadBytes(32));
        }

        for (var n = r.ReadInt32(); n > 0; n--)
        {
            d.Dictionaries.Add(r.ReadInt64());
        }

        return new SegmentRecord(name, length, sha, chain, at, d);
    }

    /// <summary>A segment's ids section: the nodes it added (with where), its blob entries, models and conversations.</summary>
    private static byte[] EncodeIds(SegmentDelta d)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(d.Nodes.Count);
            foreach (var (id, seg, off, entry) in d.Nodes)
            {
                WriteId(w, id);
                w.Write(seg);
                w.Write(off);
                w.Write(entry);
            }

            w.Write(d.Blobs.Count);
            foreach (var (id, external, size) in d.Blobs)
            {
                WriteId(w, id);
                w.Write(external);
                w.Write(size);
            }

            WriteIds(w, d.Models);
            WriteIds(w, d.Conversations);
        }

        return ms.ToArray();
    }

    /// <summary>Reads back an ids section <see cref="EncodeIds"/> wrote (the memo's MAC already checked); throws <see cref="FormatException"/> if it is cut short.</summary>
    internal static void DecodeIds(
        byte[] ids,
        List<(string Id, uint Segment, long Offset, int EntryOffset)> nodes,
        List<(string Id, bool External, long Size)> blobs,
        List<string> models,
        List<string> conversations)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(ids, writable: false), Encoding.UTF8);
            for (var n = r.ReadInt32(); n > 0; n--)
            {
                nodes.Add((ReadId(r), r.ReadUInt32(), r.ReadInt64(), r.ReadInt32()));
            }

            for (var n = r.ReadInt32(); n > 0; n--)
            {
                blobs.Add((ReadId(r), r.ReadBoolean(), r.ReadInt64()));
            }

            ReadIds(r, models);
            ReadIds(r, conversations);
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("a segment's ids section ends early", e);
        }
    }

    private static void WriteIds(BinaryWriter w, List<string> ids)
    {
        w.Write(ids.Count);
        foreach (var id in ids)
        {
            WriteId(w, id);
        }
    }

    private static void ReadIds(BinaryReader r, List<string> into)
    {
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            into.Add(ReadId(r));
        }
    }

    /// <summary>A <c>sha256:</c> id as its 32 bytes (tag 1; lowercase, so it reads back exactly), anything else as text (tag 0).</summary>
    private static void WriteId(BinaryWriter w, string id)
    {
        if (ContentId.IsValid(id))
        {
            w.Write((byte)1);
            w.Write(ContentId.ToDigest(id));
            return;
        }

        w.Write((byte)0);
        w.Write(id);
    }

    private static string ReadId(BinaryReader r) => r.ReadByte() switch
    {
        1 => ContentId.Format(r.ReadBytes(32)),
        0 => r.ReadString(),
        var t => throw new FormatException($"unknown id tag {t}"),
    };
}
