using Amber.Core.Hashing;
using Amber.Core.Json;
using Amber.Import.Json;

namespace Amber.Import.Formats.ShareGpt;

/// <summary>
/// Stable conversation ids for dataset records that carry none: the SHA-256 of the record's RFC 8785
/// canonical JSON, so a re-import finds the same conversation whatever the file's formatting. A record
/// repeated verbatim in one file is still its own conversation: its second copy gets "/2", the third "/3".
/// </summary>
internal sealed class DatasetRecordIds
{
    private readonly Dictionary<string, int> seen = new(StringComparer.Ordinal);

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

        var n = seen.TryGetValue(id, out var count) ? count + 1 : 1;
        seen[id] = n;
        return n == 1 ? id : $"{id}/{n}";
    }
}
