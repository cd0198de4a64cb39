namespace Amber.Cluster.Catalogue;

/// <summary>How a column of the index's derived rows is kept in PostgreSQL, which (unlike SQLite) types every column.</summary>
internal enum PgColumnKind
{
    /// <summary><c>bigint</c>.</summary>
    Integer,

    /// <summary><c>text</c>.</summary>
    Text,

    /// <summary><c>bytea</c>: content ids as their 32 digest bytes.</summary>
    Bytes,

    /// <summary><c>text</c>: a time as the source gave it (the SQLite index may keep it packed into an integer).</summary>
    Time,

    /// <summary><c>text</c>: a source id in its public form (the SQLite index may keep a digest or UUID as bytes).</summary>
    SourceId,
}
