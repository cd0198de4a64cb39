namespace Amber.Storage.Verification;

/// <summary>
/// Index rows compared column by column as SQLite stores them: integers, reals, text, BLOBs (by content) and nulls;
/// every column, or only those a table's rows are unique on (<see cref="On"/>).
/// </summary>
internal sealed class RowComparer(int[]? columns = null) : IEqualityComparer<object?[]>
{
    public static readonly RowComparer Instance = new();

    /// <summary>Rows compared on <paramref name="unique"/> alone: one row per value of a table's unique columns.</summary>
    public static RowComparer On(int[] unique) => new(unique);

    public bool Equals(object?[]? x, object?[]? y)
    {
        if (x is null || y is null || x.Length != y.Length)
        {
            return ReferenceEquals(x, y);
        }

        var n = columns?.Length ?? x.Length;
        for (var k = 0; k < n; k++)
        {
            var i = columns?[k] ?? k;
            var same = (x[i], y[i]) switch
            {
                (null, null) => true,
                (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
                (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
                (long a, long b) => a == b,
                (double a, double b) => a.Equals(b),
                _ => false,
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(object?[] obj)
    {
        var h = new HashCode();
        var n = columns?.Length ?? obj.Length;
        for (var k = 0; k < n; k++)
        {
            switch (obj[columns?[k] ?? k])
            {
                case byte[] b:
                    h.AddBytes(b);
                    break;
                case string s:
                    h.Add(s, StringComparer.Ordinal);
                    break;
                case var v:
                    h.Add(v);
                    break;
            }
        }

        return h.ToHashCode();
    }
}
