using Amber.Fuzz.Engine;
using Amber.Proxy.Protocols;
using Amber.Proxy.Secrets;

namespace Amber.Fuzz.Targets;

/// <summary>
/// The gateway's request reader: the scrubber that checks a client's JSON body and finds credentials in it
/// (documented error <see cref="InvalidRequestBodyException"/>), then each protocol's notice injection, whose output
/// the gateway scrubs again: both must take any body the scrubber let through without throwing.
/// </summary>
public sealed class GatewayRequestTarget : IFuzzTarget
{
    private static readonly IProtocol[] Protocols = [ProtocolRegistry.OpenAiChat, ProtocolRegistry.OpenAiResponses, ProtocolRegistry.AnthropicMessages];

    public string Name => "gateway-request";

    public IReadOnlyList<byte[]> Seeds { get; } = GatewaySeeds.Requests;

    public Verdict Run(byte[] input)
    {
        try
        {
            RequestScrubber.Scrub(input);
        }
        catch (InvalidRequestBodyException)
        {
            return Verdict.Rejected;
        }

        foreach (var protocol in Protocols)
        {
            // The gateway scrubs the body with the notice in it again before storing it: that must not fail either.
            if (protocol.InjectNotice(input, "This conversation is recorded.") is { } forwarded)
            {
                RequestScrubber.Scrub(forwarded);
            }
        }

        return Verdict.Accepted;
    }

    public void Dispose()
    {
    }
}
