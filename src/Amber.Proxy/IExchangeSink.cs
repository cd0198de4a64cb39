using Amber.Proxy.Exchanges;

namespace Amber.Proxy;

/// <summary>Where the gateway hands a finished (or cut) exchange. Completion means it is durable.</summary>
public interface IExchangeSink
{
    /// <summary>False when nothing can be preserved now (read-only archive); captured calls are then refused with 503.</summary>
    bool CanWrite { get; }

    /// <summary>Preserves the exchange; throws when it could not be made durable.</summary>
    Task PreserveAsync(RawExchange exchange, CancellationToken ct);
}
