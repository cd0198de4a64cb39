namespace Amber.Storage.Index;

/// <summary>
/// One relational table of the index as the row derivation (<see cref="IndexRowDeriver"/>) fills it: its columns in
/// schema order, the INTEGER key column <c>k</c> (assigned by SQLite in insertion order) first where it has one, and the
/// columns whose values an <c>INSERT OR IGNORE</c> of it is unique on.
/// </summary>
/// <param name="Name">The table's name in the schema.</param>
/// <param name="Columns">Every column, in schema order.</param>
/// <param name="Keyed">True when the first column is the INTEGER PRIMARY KEY <c>k</c>, which the writer does not give.</param>
/// <param name="Unique">Ordinals (in <paramref name="Columns"/>) of the columns a row is unique on, if any.</param>
internal sealed record IndexTable(string Name, string[] Columns, bool Keyed, int[] Unique)
{
    /// <summary>The columns a row is written with: all but the key column <c>k</c>, which SQLite assigns.</summary>
    public ReadOnlySpan<string> Written => Keyed ? Columns.AsSpan(1) : Columns;

    /// <summary>The ordinal of a column in <see cref="Columns"/>.</summary>
    public int Ordinal(string column) => Array.IndexOf(Columns, column) is var i and >= 0 ? i : throw new ArgumentException($"{Name} has no column {column}.", nameof(column));
}
