using Amber.Storage.Index;

namespace Amber.Cluster.Catalogue;

/// <summary>One table of the PostgreSQL catalogue: an index table (<see cref="IndexTables"/>) with a type for each of its columns.</summary>
internal sealed record PgTable(IndexTable Rows, PgColumnKind[] Kinds, string[] Keys, string[] Indexes);
