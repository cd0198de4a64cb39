namespace Amber.Revive.LlamaSharp.Hosting;

/// <summary>
/// Which chat-completions requests the local model host answers itself. `amber serve` composes the local
/// host in front of the gateway: a request whose <c>model</c> is a local name is served here, any other
/// falls through to the next handler (the gateway's <c>/v1/chat/completions</c>, when it is configured).
/// </summary>
public interface ILocalModelRouter
{
    /// <summary>True when <paramref name="model"/> names a model this host serves.</summary>
    bool IsLocal(string model);
}
