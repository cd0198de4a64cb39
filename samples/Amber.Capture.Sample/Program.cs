// In-process capture with Microsoft.Extensions.AI: every call through the IChatClient is preserved in an Amber archive.
// Run: dotnet run --project samples/Amber.Capture.Sample [ARCHIVE_DIR]   (exit 0 when the call was captured)
using System.ClientModel;
using Amber.Capture;
using Amber.Capture.Sample;
using Amber.Storage;
using Microsoft.Extensions.AI;
using OpenAI;

var directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "amber-capture-sample-" + Guid.NewGuid().ToString("N"));
await using var server = await LocalOpenAiServer.StartAsync();
await using var archive = Archive.Open(new ArchiveOptions { Directory = directory, CreateIfMissing = true });

// The official OpenAI SDK, pointed at the local server, seen as an IChatClient; UseAmberCapture() records each call.
IChatClient client = new ChatClientBuilder(
        new OpenAI.Chat.ChatClient("gpt-4o-mini", new ApiKeyCredential("sk-sample"), new OpenAIClientOptions { Endpoint = server.Endpoint }).AsIChatClient())
    .UseAmberCapture(new ConversationRecorder(archive, TimeProvider.System))
    .Build();

var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What is amber?")]);
Console.WriteLine($"model said: {response.Text}");

var stats = archive.GetStats();
Console.WriteLine($"archive {directory}: {stats.Conversations} conversation(s), {stats.Instances} instance(s), {stats.Nodes} node(s)");
if (stats.Conversations != 1 || stats.Nodes < 2)
{
    Console.Error.WriteLine("the call was not captured");
    return 1;
}

return 0;
