namespace Amber.Proxy.Secrets;

/// <summary>A request body as it may be stored: credentials replaced by the marker.</summary>
/// <param name="Bytes">The body with every credential value replaced by <c>"[redacted]"</c>; the same bytes as sent when nothing was found.</param>
/// <param name="Pointers">RFC 6901 pointers of the replaced values, in body order.</param>
/// <param name="Values">The replaced values, so their echoes elsewhere can be withheld too; never stored.</param>
internal sealed record ScrubbedBody(ReadOnlyMemory<byte> Bytes, IReadOnlyList<string> Pointers, IReadOnlyList<string> Values);
