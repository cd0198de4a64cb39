namespace Amber.Viewer.Rendering;

/// <summary>The viewer's URLs, built in one place (every variable part escaped).</summary>
public static class Urls
{
    public static string Hex(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;

    public static string Conversation(string id, string? leaf = null, string? anchorNode = null)
        => $"/conversations/{Hex(id)}{(leaf is null ? "" : "?leaf=" + Hex(leaf))}{(anchorNode is null ? "" : "#" + NodeAnchor(anchorNode))}";

    public static string NodeAnchor(string nodeId) => "n-" + Hex(nodeId)[..Math.Min(16, Hex(nodeId).Length)];

    /// <summary>A lasting link to one message: the server opens its conversation on the branch that holds it, scrolled to it.</summary>
    public static string NodePage(string id) => "/nodes/" + Hex(id);

    public static string Model(string id) => "/models/" + Hex(id);

    public static string BlobPage(string id) => "/blobs/" + Hex(id);

    public static string ReceiptPage(string id) => "/receipts/" + Hex(id);

    public static string ReceiptDownload(string id) => "/receipt/" + Hex(id);

    public static string NodeJson(string id) => "/api/nodes/" + Hex(id);

    /// <summary>The blob's bytes; <paramref name="mediaType"/> is honoured only for raster images, everything else downloads.</summary>
    public static string Blob(string id, string? mediaType = null, string? name = null, bool download = false)
    {
        var query = new List<string>();
        if (mediaType is not null)
        {
            query.Add("type=" + Uri.EscapeDataString(mediaType));
        }

        if (name is not null)
        {
            query.Add("name=" + Uri.EscapeDataString(name));
        }

        if (download)
        {
            query.Add("download=1");
        }

        return "/api/blobs/" + Hex(id) + (query.Count == 0 ? "" : "?" + string.Join('&', query));
    }

    public static string List(string? q = null, string? model = null, string? source = null, string? tier = null, string? from = null, string? to = null, string? before = null, int? n = null)
    {
        var query = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query.Add(key + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("q", q);
        Add("model", model);
        Add("source", source);
        Add("tier", tier);
        Add("from", from);
        Add("to", to);
        Add("before", before);
        Add("n", n?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "/" + (query.Count == 0 ? "" : "?" + string.Join('&', query));
    }
}
