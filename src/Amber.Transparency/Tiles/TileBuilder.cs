using System.Buffers.Binary;
using Amber.Transparency.Merkle;

namespace Amber.Transparency.Tiles;

/// <summary>
/// Builds the bytes c2sp.org/tlog-tiles serves: hash tiles (concatenated 32-byte hashes; at level L hash i is
/// MTH of leaves [(N·256+i)·256^L, (N·256+i+1)·256^L)) and entry bundles (entries, each after a big-endian
/// u16 length).
/// </summary>
public static class TileBuilder
{
    /// <summary>The largest entry an entry bundle can carry.</summary>
    public const int MaxEntryLength = ushort.MaxValue;

    /// <summary>The bytes of hash tile <paramref name="tile"/>, whose hashes must all be complete in <paramref name="tree"/>.</summary>
    public static byte[] BuildHashTile(MerkleTree tree, TilePath tile)
    {
        ArgumentNullException.ThrowIfNull(tree);
        if (tile.IsEntryBundle)
        {
            throw new ArgumentException($"{tile} is an entry bundle, not a hash tile.", nameof(tile));
        }

        var available = TilePath.WidthAt(tile.Level, tile.Index, tree.Size);
        if (available < tile.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(tile), $"A tree of {tree.Size} leaves does not have all {tile.Width} hashes of {tile}.");
        }

        // Hash i of a level-L tile is the perfect subtree of 2^(8L) leaves, number N·256+i.
        var subtreeLevel = TilePath.Height * tile.Level;
        var first = tile.Index * TilePath.FullWidth;
        var bytes = new byte[tile.Width * MerkleHash.Size];
        for (var i = 0; i < tile.Width; i++)
        {
            tree.GetSubtreeHash(subtreeLevel, first + i).CopyTo(bytes, i * MerkleHash.Size);
        }

        return bytes;
    }

    /// <summary>An entry bundle: each entry (at most 65,535 bytes) after its big-endian u16 length.</summary>
    public static byte[] BuildEntryBundle(IEnumerable<ReadOnlyMemory<byte>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToList();
        if (list.Count > TilePath.FullWidth)
        {
            throw new ArgumentException($"An entry bundle holds at most {TilePath.FullWidth} entries (got {list.Count}).", nameof(entries));
        }

        var bytes = new byte[list.Sum(e => 2 + e.Length)];
        var offset = 0;
        for (var i = 0; i < list.Count; i++)
        {
            var entry = list[i];
            if (entry.Length > MaxEntryLength)
            {
                throw new ArgumentException($"Entry {i} is {entry.Length} bytes; an entry bundle limits entries to {MaxEntryLength}.", nameof(entries));
            }

            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), (ushort)entry.Length);
            entry.Span.CopyTo(bytes.AsSpan(offset + 2));
            offset += 2 + entry.Length;
        }

        return bytes;
    }

    /// <summary>The entries of an entry bundle; throws <see cref="FormatException"/> if a length runs past the end.</summary>
    public static IReadOnlyList<byte[]> ParseEntryBundle(ReadOnlySpan<byte> bundle)
    {
        var entries = new List<byte[]>();
        while (!bundle.IsEmpty)
        {
            if (bundle.Length < 2)
            {
                throw new FormatException($"Entry bundle: a dangling byte after entry {entries.Count - 1}.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bundle);
            if (bundle.Length < 2 + length)
            {
                throw new FormatException($"Entry bundle: entry {entries.Count} claims {length} bytes but only {bundle.Length - 2} remain.");
            }

            entries.Add(bundle.Slice(2, length).ToArray());
            bundle = bundle[(2 + length)..];
        }

        return entries;
    }

    /// <summary>The hashes of a hash tile's bytes; throws <see cref="FormatException"/> unless it holds 1..256 whole hashes.</summary>
    public static IReadOnlyList<byte[]> ParseHashTile(ReadOnlySpan<byte> tile)
    {
        if (tile.IsEmpty || tile.Length % MerkleHash.Size != 0 || tile.Length > TilePath.FullWidth * MerkleHash.Size)
        {
            throw new FormatException($"A hash tile is 1 to {TilePath.FullWidth} hashes of {MerkleHash.Size} bytes (got {tile.Length} bytes).");
        }

        var hashes = new byte[tile.Length / MerkleHash.Size][];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = tile.Slice(i * MerkleHash.Size, MerkleHash.Size).ToArray();
        }

        return hashes;
    }
}
