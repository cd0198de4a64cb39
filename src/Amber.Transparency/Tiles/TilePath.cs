using System.Globalization;
using System.Text;

namespace Amber.Transparency.Tiles;

/// <summary>
/// A c2sp.org/tlog-tiles resource path relative to the log prefix: hash tiles <c>tile/&lt;L&gt;/&lt;N&gt;[.p/&lt;W&gt;]</c>
/// and entry bundles <c>tile/entries/&lt;N&gt;[.p/&lt;W&gt;]</c>, with N written in 3-digit groups, all but
/// the last prefixed with <c>x</c> (1234067 → <c>x001/x234/067</c>).
/// </summary>
public readonly record struct TilePath
{
    /// <summary>Hashes (or entries) in a full tile.</summary>
    public const int FullWidth = 256;

    /// <summary>Tree levels spanned by one tile (256 = 2^8).</summary>
    public const int Height = 8;

    /// <summary>The highest level a path may name.</summary>
    public const int MaxLevel = 63;

    private TilePath(int level, long index, int width, bool isEntryBundle)
    {
        Level = level;
        Index = index;
        Width = width;
        IsEntryBundle = isEntryBundle;
    }

    /// <summary>The tile level (0 for leaf hashes and for entry bundles).</summary>
    public int Level { get; }

    /// <summary>The tile's index within its level.</summary>
    public long Index { get; }

    /// <summary>The number of hashes or entries: 256 when full, 1..255 when partial.</summary>
    public int Width { get; }

    public bool IsEntryBundle { get; }

    public bool IsPartial => Width < FullWidth;

    /// <summary>The hash tile <paramref name="index"/> at <paramref name="level"/>, full unless a width below 256 is given.</summary>
    public static TilePath HashTile(int level, long index, int width = FullWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, FullWidth);
        return new TilePath(level, index, width, isEntryBundle: false);
    }

    /// <summary>The entry bundle matching level-0 tile <paramref name="index"/>.</summary>
    public static TilePath EntryBundle(long index, int width = FullWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, FullWidth);
        return new TilePath(0, index, width, isEntryBundle: true);
    }

    /// <summary>
    /// The width of tile <paramref name="index"/> at <paramref name="level"/> in a tree of <paramref name="treeSize"/>
    /// leaves: 256 when full, 1..255 for the partial tile, 0 when the tree has no such tile.
    /// </summary>
    public static int WidthAt(int level, long index, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        var shift = Height * level;
        if (shift >= 63)
        {
            return 0;
        }

        // Hashes at this level: one per complete run of 256^level leaves.
        var hashes = treeSize >> shift;
        var first = index * FullWidth;
        if (index > hashes / FullWidth || first >= hashes)
        {
            return 0;
        }

        return (int)Math.Min(FullWidth, hashes - first);
    }

    /// <summary>
    /// Every hash tile a tree of <paramref name="treeSize"/> leaves publishes, level by level: the full tiles, then
    /// the partial one (width <c>floor(size / 256^L) mod 256</c>) when non-zero.
    /// </summary>
    public static IEnumerable<TilePath> HashTilesForTreeSize(long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        for (var level = 0; Height * level < 63 && (treeSize >> (Height * level)) > 0; level++)
        {
            var hashes = treeSize >> (Height * level);
            var full = hashes / FullWidth;
            for (long n = 0; n < full; n++)
            {
                yield return HashTile(level, n);
            }

            var partial = (int)(hashes % FullWidth);
            if (partial > 0)
            {
                yield return HashTile(level, full, partial);
            }
        }
    }

    /// <summary>N in 3-digit groups, all but the last prefixed with <c>x</c>: 5 → <c>005</c>, 1000 → <c>x001/000</c>.</summary>
    public static string EncodeIndex(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var groups = new List<long>();
        do
        {
            groups.Add(index % 1000);
            index /= 1000;
        }
        while (index > 0);

        var builder = new StringBuilder(groups.Count * 5);
        for (var i = groups.Count - 1; i >= 0; i--)
        {
            if (i > 0)
            {
                builder.Append('x');
            }

            builder.Append(groups[i].ToString("000", CultureInfo.InvariantCulture));
            if (i > 0)
            {
                builder.Append('/');
            }
        }

        return builder.ToString();
    }

    /// <summary>Reads a path in its one canonical spelling; throws <see cref="FormatException"/> otherwise.</summary>
    public static TilePath Parse(string path)
        => TryParse(path, out var parsed) ? parsed : throw new FormatException($"\"{path}\" is not a tlog-tiles path (tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]).");

    public static bool TryParse(string path, out TilePath parsed)
    {
        ArgumentNullException.ThrowIfNull(path);
        parsed = default;
        var parts = path.Split('/');
        if (parts.Length < 3 || parts[0] != "tile")
        {
            return false;
        }

        var entries = parts[1] == "entries";
        var level = 0;
        if (!entries && !TryParseSmall(parts[1], MaxLevel, out level))
        {
            return false;
        }

        // The index runs to the element carrying ".p" (partial) or to the end.
        var width = FullWidth;
        var indexParts = parts.AsSpan(2);
        if (parts.Length >= 4 && parts[^2].EndsWith(".p", StringComparison.Ordinal))
        {
            if (!TryParseSmall(parts[^1], FullWidth - 1, out width) || width == 0)
            {
                return false;
            }

            indexParts = parts.AsSpan(2, parts.Length - 3);
            indexParts[^1] = indexParts[^1][..^2];
        }

        long index = 0;
        for (var i = 0; i < indexParts.Length; i++)
        {
            var element = indexParts[i];
            var last = i == indexParts.Length - 1;
            if (element.Length != (last ? 3 : 4) || (!last && element[0] != 'x'))
            {
                return false;
            }

            var digits = last ? element : element[1..];
            if (!digits.All(char.IsAsciiDigit) || index > (long.MaxValue - 999) / 1000)
            {
                return false;
            }

            index = (index * 1000) + int.Parse(digits, CultureInfo.InvariantCulture);
        }

        parsed = entries ? new TilePath(0, index, width, true) : new TilePath(level, index, width, false);

        // One spelling per tile: reject leading zero groups such as x000/005.
        return parsed.ToString() == path;
    }

    /// <summary>The path relative to the log prefix, e.g. <c>tile/0/x001/x234/067.p/8</c>.</summary>
    public override string ToString()
    {
        var kind = IsEntryBundle ? "entries" : Level.ToString(CultureInfo.InvariantCulture);
        var path = "tile/" + kind + "/" + EncodeIndex(Index);
        return IsPartial ? path + ".p/" + Width.ToString(CultureInfo.InvariantCulture) : path;
    }

    private static bool TryParseSmall(string text, int max, out int value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 3 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        value = int.Parse(text, CultureInfo.InvariantCulture);
        return value <= max;
    }
}
