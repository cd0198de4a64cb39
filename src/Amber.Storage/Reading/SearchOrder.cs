namespace Amber.Storage.Reading;

/// <summary>The order of search hits.</summary>
public enum SearchOrder
{
    /// <summary>Best match first (FTS5's bm25).</summary>
    Rank,

    /// <summary>
    /// Most recently archived message first: archive order (the order commits were written), not the message's own
    /// <c>created</c> time, which imported messages may lack or give in any order. Answers without sorting the matches.
    /// </summary>
    Newest,
}
