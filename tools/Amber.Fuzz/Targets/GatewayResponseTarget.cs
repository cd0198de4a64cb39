using Amber.Fuzz.Engine;
using Amber.Proxy.Exchanges;
using Amber.Proxy.Forwarding;
using Amber.Proxy.Protocols;

namespace Amber.Fuzz.Targets;

/// <summary>
/// The gateway's upstream response readers, for all three protocols: a JSON body or an SSE stream normalized into
/// nodes (documented never to throw on malformed provider JSON), and for streams the scanner that finds the final
/// event, which must find the same event however the bytes are chunked.
/// </summary>
public sealed class GatewayResponseTarget(bool streamed) : IFuzzTarget
{
    private static readonly IProtocol[] Protocols = [ProtocolRegistry.OpenAiChat, ProtocolRegistry.OpenAiResponses, ProtocolRegistry.AnthropicMessages];

    public string Name => streamed ? "gateway-sse" : "gateway-response";

    public IReadOnlyList<byte[]> Seeds { get; } = streamed ? GatewaySeeds.Streams : GatewaySeeds.Responses;

    public Verdict Run(byte[] input)
    {
        for (var i = 0; i < Protocols.Length; i++)
        {
            var protocol = Protocols[i];
            var exchange = new RawExchange
            {
                Source = protocol.Source,
                Instance = "01JFUZZ000000000000000000" + i,
                Started = "2026-01-01T00:00:00.000Z",
                Upstream = "http://127.0.0.1:1",
                Method = "POST",
                Path = GatewaySeeds.Paths[i],
                RequestBody = GatewaySeeds.Requests[i],
                Status = 200,
                Streamed = streamed,
                ResponseBody = input,
            };
            _ = protocol.Normalize(exchange);
            if (streamed)
            {
                Scan(protocol, input);
            }
        }

        return Verdict.Accepted;
    }

    private static void Scan(IProtocol protocol, byte[] input)
    {
        var whole = new SseScanner(e => protocol.IsFinalEvent(e.Span));
        whole.Scan(input);
        var chunked = new SseScanner(e => protocol.IsFinalEvent(e.Span));
        var step = 1 + (input.Length % 7);
        for (var end = Math.Min(step, input.Length); ; end = Math.Min(end + step, input.Length))
        {
            chunked.Scan(input.AsMemory(0, end));
            if (end == input.Length)
            {
                break;
            }
        }

        if (whole.FinalEventStart != chunked.FinalEventStart || whole.FinalEventStart > input.Length)
        {
            throw new FuzzFailure($"SSE scanner: the final event starts at {whole.FinalEventStart} read whole but at {chunked.FinalEventStart} read in {step}-byte chunks");
        }
    }

    public void Dispose()
    {
    }
}
