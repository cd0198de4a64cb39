using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Amber.Storage.Verification;

/// <summary>
/// An order-independent digest of a table's rows: the count, and the lane-wise sum of each row's SHA-256 over random bytes of
/// this verify and a typed encoding of every column (integer, real, text as UTF-8, BLOB, null), so no edit can be
/// fitted to it. Two tables with the same rows, in any order, have the same digest; the live table is read
/// through SQLite's C API straight into the encoding, with no value boxed. Verify compares the digests and falls back
/// to the row-by-row comparison only when they differ, to name the rows (<see cref="IndexAudit"/>).
/// </summary>
internal sealed class TableDigest
{
    private const byte Null = 0, Integer = 1, Real = 2, Text = 3, Blob = 4;

    private readonly int keyLength;
    private readonly ulong[] sum = new ulong[4];
    private byte[] buffer = new byte[256];
    private int used;

    /// <param name="key">Random bytes of this verify, hashed before each row.</param>
    public TableDigest(byte[] key)
    {
        keyLength = key.Length;
        Array.Resize(ref buffer, Math.Max(buffer.Length, key.Length * 2));
        key.CopyTo(buffer, 0);
        used = keyLength;
    }

    public long Count { get; private set; }

    /// <summary>The digest of rows held in memory; null when a value is of a type SQLite does not store as such (the row-by-row comparison judges it).</summary>
    public static TableDigest? Of(byte[] key, IEnumerable<object?[]> rows)
    {
        var d = new TableDigest(key);
        foreach (var row in rows)
        {
            foreach (var v in row)
            {
                switch (v)
                {
                    case null:
                        d.Add(Null, []);
                        break;
                    case long l:
                        d.AddInteger(l);
                        break;
                    case double x:
                        d.AddReal(x);
                        break;
                    case string s:
                        d.AddText(s);
                        break;
                    case byte[] b:
                        d.Add(Blob, b);
                        break;
                    default:
                        return null;
                }
            }

            d.EndRow();
        }

        return d;
    }

    /// <summary>The digest of the rows <paramref name="sql"/> returns, read in place from SQLite.</summary>
    public static TableDigest OfQuery(byte[] key, SqliteConnection c, string sql)
    {
        var db = c.Handle!;
        var d = new TableDigest(key);
        Check(raw.sqlite3_prepare_v2(db, sql, out var stmt), db);
        using (stmt)
        {
            var columns = raw.sqlite3_column_count(stmt);
            int rc;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                for (var i = 0; i < columns; i++)
                {
                    switch (raw.sqlite3_column_type(stmt, i))
                    {
                        case raw.SQLITE_INTEGER:
                            d.AddInteger(raw.sqlite3_column_int64(stmt, i));
                            break;
                        case raw.SQLITE_FLOAT:
                            d.AddReal(raw.sqlite3_column_double(stmt, i));
                            break;
                        case raw.SQLITE_TEXT:
                            d.Add(Text, raw.sqlite3_column_blob(stmt, i));
                            break;
                        case raw.SQLITE_BLOB:
                            d.Add(Blob, raw.sqlite3_column_blob(stmt, i));
                            break;
                        default:
                            d.Add(Null, []);
                            break;
                    }
                }

                d.EndRow();
            }

            Check(rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc, db);
        }

        return d;
    }

    public bool SameAs(TableDigest other) => Count == other.Count && sum.AsSpan().SequenceEqual(other.sum);

    private void AddInteger(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        Add(Integer, b);
    }

    private void AddReal(double value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, value);
        Add(Real, b);
    }

    private void AddText(string s)
    {
        var n = Encoding.UTF8.GetMaxByteCount(s.Length);
        var rented = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            Add(Text, rented.AsSpan(0, Encoding.UTF8.GetBytes(s, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Appends one column: its type, its length and its bytes.</summary>
    private void Add(byte type, ReadOnlySpan<byte> value)
    {
        var need = used + 5 + value.Length;
        if (need > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(need, buffer.Length * 2));
        }

        buffer[used] = type;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(used + 1), value.Length);
        value.CopyTo(buffer.AsSpan(used + 5));
        used = need;
    }

    private void EndRow()
    {
        Span<byte> h = stackalloc byte[32];
        SHA256.HashData(buffer.AsSpan(0, used), h);
        for (var i = 0; i < 4; i++)
        {
            sum[i] += BinaryPrimitives.ReadUInt64LittleEndian(h[(i * 8)..]);
        }

        used = keyLength;
        Count++;
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
