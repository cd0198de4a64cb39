using Amber.Capture;
using Amber.Core.Model;
using Amber.Proxy.Exchanges;
using Amber.Proxy.Protocols;
using Amber.Storage;

namespace Amber.Proxy;

/// <summary>Preserves an exchange in the archive: normalizes it and records it through the <see cref="ConversationRecorder"/> (durable on completion).</summary>
public sealed class ArchiveSink(Archive archive, ConversationRecorder recorder) : IExchangeSink
{
    public bool CanWrite => !archive.IsReadOnly;

    public async Task PreserveAsync(RawExchange exchange, CancellationToken ct)
        => await RecordAsync(exchange, ct).ConfigureAwait(false);

    /// <summary>Records the exchange and returns where it went.</summary>
    public Task<CaptureResult> RecordAsync(RawExchange exchange, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return recorder.RecordAsync(ToCaptured(exchange), ct);
    }

    /// <summary>Records an exchange already normalized, whose raw document is <paramref name="raw"/> (the spool's file: not written again).</summary>
    internal Task<CaptureResult> RecordAsync(RawExchange exchange, NormalizedExchange normalized, byte[] raw, CancellationToken ct)
        => recorder.RecordAsync(ToCaptured(exchange, normalized, raw), ct);

    /// <summary>The protocol's reading of the exchange: no archive lookups, so it may run ahead of earlier exchanges' commits.</summary>
    internal static NormalizedExchange Normalize(RawExchange exchange) => ProtocolRegistry.ForSource(exchange.Source).Normalize(exchange);

    /// <summary>
    /// Whether recording this exchange reads what earlier ones recorded: an answer sent back as history, a continued
    /// response or provider conversation. One that does not starts a conversation of its own and can be recorded
    /// alongside others, as concurrent gateway calls are.
    /// </summary>
    internal static bool ReadsEarlierExchanges(NormalizedExchange normalized)
        => normalized.ContinuesFrom is not null || normalized.Conversation is not null || normalized.Prompt.Any(m => m.Role == "assistant");

    /// <summary>The recorder's input for one raw exchange.</summary>
    public CapturedExchange ToCaptured(RawExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return ToCaptured(exchange, Normalize(exchange), null);
    }

    private CapturedExchange ToCaptured(RawExchange exchange, NormalizedExchange n, byte[]? raw)
    {
        var continues = n.ContinuesFrom;
        var keys = n.AnswerKeys.ToList();
        if (n.Conversation is { } conversation)
        {
            // Keys are first-come, so each answer in a provider conversation gets the next number; the call continues from the highest.
            var latest = LatestTurn(conversation);
            continues ??= latest > 0 ? ConversationKey(conversation, latest) : null;
            keys.Add(ConversationKey(conversation, latest + 1));
        }

        var prompt = n.Prompt;
        if (prompt.Count == 0 && (continues is null || recorder.FindNode(continues) is null))
        {
            // A request with no readable messages (malformed JSON, say) is still kept: its raw bytes hang under this marker.
            prompt = [new Node { Role = "request", Content = [new OpaqueBlock("amber", "unreadable_request", null)], Flags = [NodeFlags.Empty] }];
        }

        return new CapturedExchange
        {
            Source = exchange.Source,
            Tenant = exchange.Tenant,
            Prompt = prompt,
            Answer = n.Answer,
            Model = n.Model,
            Blobs = n.Blobs.Select(b => (ReadOnlyMemory<byte>)b).ToList(),
            Raw = raw ?? exchange.ToJsonBytes(),
            ContinuesFrom = continues,
            AnswerKeys = keys,
            Title = n.Title,
        };
    }

    private static string ConversationKey(string conversation, long turn) => $"conversation:openai:{conversation}:{turn}";

    /// <summary>The highest turn number recorded for a provider conversation (0 for none), by galloping then bisecting over the keys.</summary>
    private long LatestTurn(string conversation)
    {
        long low = 0, high = 1;
        while (recorder.FindNode(ConversationKey(conversation, high)) is not null)
        {
            low = high;
            high *= 2;
        }

        while (high - low > 1)
        {
            var mid = low + ((high - low) / 2);
            if (recorder.FindNode(ConversationKey(conversation, mid)) is not null)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
