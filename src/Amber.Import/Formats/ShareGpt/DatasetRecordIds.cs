using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Import.Json;

namespace Amber.Import.Formats.ShareGpt;

/// <summary>
/// Stable conversation ids for dataset records that carry none: the SHA-256 of the record's RFC 8785
/// canonical JSON, so a re-import finds the same conversation whatever the file's formatting. A record
/// repeated verbatim in one file is still its own conversation: its second copy gets "/2", the third "/3".
/// Numbering repeats needs every record seen so far: each costs 16 bytes of its digest (not its id string),
/// the one per-record cost of an import (see docs/ARCHITECTURE.md §11).
/// </summary>
internal sealed class DatasetRecordIds
{
    private readonly Dictionary<UInt128, int> seen = [];

    public string Next(ImportInput input, JsonRecord record)
    {
        string id;
        try
        {
            id = ContentId.Of(CanonicalJson.Canonicalize(record.Bytes.Span));
        }
        catch (CanonicalJsonException e)
        {
            throw ImportException.At(input, record.Where, "cannot canonicalize the record: " + e.Message, e);
        }

        var key = UInt128.Parse(id.AsSpan(id.IndexOf(':', StringComparison.Ordinal) + 1, 32), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
        var n = seen.TryGetValue(key, out var count) ? count + 1 : 1;
        seen[key] = n;
        return n == 1 ? id : $"{id}/{n}";
    }
}
