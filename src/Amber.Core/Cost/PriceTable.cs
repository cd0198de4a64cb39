using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Amber.Core.Cost;

/// <summary>
/// Inference list prices, dated: USD per million input and output tokens by model-name prefix. <see cref="Default"/> is
/// Amber's table of common models with each price's published source; a JSON file (<see cref="Parse"/>) replaces or adds
/// entries. A model no entry matches is reported as unpriced, never priced at zero.
/// </summary>
public sealed class PriceTable
{
    private const string OpenAi = "https://openai.com/api/pricing/";
    private const string Anthropic = "https://www.anthropic.com/pricing#api";
    private const string Google = "https://ai.google.dev/gemini-api/docs/pricing";
    private const string DeepSeek = "https://api-docs.deepseek.com/quick_start/pricing";

    private readonly Dictionary<string, ModelPrice> byModel;

    public PriceTable(string asOf, IEnumerable<ModelPrice> models)
    {
        AsOf = asOf;
        byModel = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in models)
        {
            byModel[m.Model] = m;
        }
    }

    /// <summary>List prices (standard tier, no batch or caching discounts) as published on <see cref="AsOf"/>.</summary>
    public static PriceTable Default { get; } = new("2025-08-15",
    [
        new("gpt-5", 1.25m, 10m, OpenAi), new("gpt-5-mini", 0.25m, 2m, OpenAi), new("gpt-5-nano", 0.05m, 0.40m, OpenAi),
        new("gpt-4.1", 2m, 8m, OpenAi), new("gpt-4.1-mini", 0.40m, 1.60m, OpenAi), new("gpt-4.1-nano", 0.10m, 0.40m, OpenAi),
        new("gpt-4.5-preview", 75m, 150m, OpenAi), new("gpt-4o", 2.50m, 10m, OpenAi), new("gpt-4o-mini", 0.15m, 0.60m, OpenAi),
        new("chatgpt-4o-latest", 5m, 15m, OpenAi), new("gpt-4-turbo", 10m, 30m, OpenAi), new("gpt-4", 30m, 60m, OpenAi),
        new("gpt-3.5-turbo", 0.50m, 1.50m, OpenAi), new("o1", 15m, 60m, OpenAi), new("o1-pro", 150m, 600m, OpenAi),
        new("o1-mini", 1.10m, 4.40m, OpenAi), new("o3", 2m, 8m, OpenAi), new("o3-pro", 20m, 80m, OpenAi),
        new("o3-mini", 1.10m, 4.40m, OpenAi), new("o4-mini", 1.10m, 4.40m, OpenAi),
        new("claude-opus-4", 15m, 75m, Anthropic), new("claude-sonnet-4", 3m, 15m, Anthropic), new("claude-3-7-sonnet", 3m, 15m, Anthropic),
        new("claude-3-5-sonnet", 3m, 15m, Anthropic), new("claude-3-5-haiku", 0.80m, 4m, Anthropic), new("claude-3-opus", 15m, 75m, Anthropic),
        new("claude-3-sonnet", 3m, 15m, Anthropic), new("claude-3-haiku", 0.25m, 1.25m, Anthropic),
        new("gemini-2.5-pro", 1.25m, 10m, Google), new("gemini-2.5-flash", 0.30m, 2.50m, Google), new("gemini-2.5-flash-lite", 0.10m, 0.40m, Google),
        new("gemini-2.0-flash", 0.10m, 0.40m, Google), new("gemini-2.0-flash-lite", 0.075m, 0.30m, Google),
        new("gemini-1.5-pro", 1.25m, 5m, Google), new("gemini-1.5-flash", 0.075m, 0.30m, Google),
        new("deepseek-chat", 0.27m, 1.10m, DeepSeek), new("deepseek-reasoner", 0.55m, 2.19m, DeepSeek),
    ]);

    /// <summary>The date the prices were read from their sources (YYYY-MM-DD).</summary>
    public string AsOf { get; }

    public IEnumerable<ModelPrice> Models => byModel.Values.OrderBy(m => m.Model, StringComparer.Ordinal);

    /// <summary>
    /// The price of a model name: the longest entry that is the name or a prefix of it ending at '-', ':' or '@'
    /// (<c>claude-opus-4-1-20250805</c> is <c>claude-opus-4</c>, <c>gpt-4.1</c> is not <c>gpt-4</c>), ignoring case and a
    /// provider path (<c>openai/</c>, <c>models/</c>); null when none matches.
    /// </summary>
    public ModelPrice? Find(string model)
    {
        var name = model[(model.LastIndexOf('/') + 1)..];
        ModelPrice? best = null;
        foreach (var (key, price) in byModel)
        {
            if (name.StartsWith(key, StringComparison.OrdinalIgnoreCase)
                && (name.Length == key.Length || name[key.Length] is '-' or ':' or '@')
                && (best is null || key.Length > best.Model.Length))
            {
                best = price;
            }
        }

        return best;
    }

    /// <summary>This table with <paramref name="overrides"/>' entries replacing or added to its own, dated by the overrides.</summary>
    public PriceTable With(PriceTable overrides) => new(overrides.AsOf, byModel.Values.Where(m => !overrides.byModel.ContainsKey(m.Model)).Concat(overrides.byModel.Values));

    /// <summary>
    /// Reads a price file: <c>{"as_of":"YYYY-MM-DD","models":[{"model":NAME,"input_usd_per_million":N,
    /// "output_usd_per_million":N,"source":TEXT}]}</c>. Throws <see cref="FormatException"/> naming <paramref name="origin"/>
    /// and the entry at fault.
    /// </summary>
    public static PriceTable Parse(string json, string origin)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException($"{origin}: a price file is a JSON object with \"as_of\" and \"models\".");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{origin}: not valid JSON ({e.Message}).", e);
        }

        var asOf = root["as_of"] is JsonValue a && a.TryGetValue<string>(out var s) && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? s
            : throw new FormatException($"{origin}: \"as_of\" must be the date the prices were read, as YYYY-MM-DD.");
        if (root["models"] is not JsonArray models)
        {
            throw new FormatException($"{origin}: \"models\" must be an array of prices.");
        }

        var list = new List<ModelPrice>();
        for (var i = 0; i < models.Count; i++)
        {
            var where = $"{origin}: models[{i}]";
            if (models[i] is not JsonObject m || m["model"] is not JsonValue mv || !mv.TryGetValue<string>(out var name) || name.Length == 0)
            {
                throw new FormatException($"{where} needs a \"model\" name.");
            }

            list.Add(new ModelPrice(name, Price(m, "input_usd_per_million", where), Price(m, "output_usd_per_million", where),
                m["source"] is JsonValue sv && sv.TryGetValue<string>(out var source) ? source : origin));
        }

        return new PriceTable(asOf, list);
    }

    private static decimal Price(JsonObject m, string field, string where)
        => m[field] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var d) && d >= 0
            ? d
            : throw new FormatException($"{where} ({m["model"]}): \"{field}\" must be a number of USD, 0 or more.");
}
