namespace Amber.Proxy.Exchanges;

/// <summary>One read of the upstream response: when it arrived (ms after the request reached the gateway) and how many wire bytes it held.</summary>
public readonly record struct RawChunk(double AtMs, int Length);
