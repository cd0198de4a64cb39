using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Json;
using Amber.Core.Model;

namespace Amber.Core.Tests.Model;

/// <summary>The code must keep producing the exact canonical bytes and ids written in the hash contract.</summary>
public sealed class PinnedVectorTests
{
    [Fact]
    public void RootNode_Pinned_ProducesExactCanonicalJsonAndId()
    {
        var node = PinnedVectors.Root();

        Assert.Equal(PinnedVectors.RootJson, Encoding.UTF8.GetString(node.ToCanonicalBytes()));
        Assert.Equal(PinnedVectors.RootId, node.ComputeId());
    }

    [Fact]
    public void UserNode_Pinned_ProducesExactCanonicalJsonAndId()
    {
        var node = PinnedVectors.User();

        Assert.Equal(PinnedVectors.UserJson, Encoding.UTF8.GetString(node.ToCanonicalBytes()));
        Assert.Equal(PinnedVectors.UserId, node.ComputeId());
    }

    [Fact]
    public void AssistantNode_Pinned_ProducesExactCanonicalJsonAndId()
    {
        var node = PinnedVectors.Assistant();

        Assert.Equal(PinnedVectors.AssistantJson, Encoding.UTF8.GetString(node.ToCanonicalBytes()));
        Assert.Equal(PinnedVectors.AssistantId, node.ComputeId());
    }

    [Fact]
    public void ModelReference_Pinned_ProducesExactCanonicalJsonAndId()
    {
        var model = PinnedVectors.Model();

        Assert.Equal(PinnedVectors.ModelJson, Encoding.UTF8.GetString(CanonicalJson.Canonicalize(model.ToJson())));
        Assert.Equal(PinnedVectors.ModelId, model.Id);
    }

    [Fact]
    public void ConversationRecord_Pinned_ProducesExactIdentityRecordAndId()
    {
        var conversation = PinnedVectors.Conversation();
        var identity = ConversationRecord.IdentityJson(conversation.Format, conversation.Source, conversation.SourceId);

        Assert.Equal(PinnedVectors.ConversationIdentityJson, Encoding.UTF8.GetString(CanonicalJson.Canonicalize(identity)));
        Assert.Equal(PinnedVectors.ConversationRecordJson, Encoding.UTF8.GetString(CanonicalJson.Canonicalize(conversation.ToJson())));
        Assert.Equal(PinnedVectors.ConversationId, conversation.Id);
    }

    [Fact]
    public void ConversationRecord_WithUpdated_AddsOnlyThatMemberAndKeepsItsId()
    {
        // The pinned record above has no `updated` and keeps its bytes; one that states it differs by that member alone.
        var conversation = PinnedVectors.Conversation() with { Updated = "2024-05-02T08:30:00Z" };
        var json = Encoding.UTF8.GetString(CanonicalJson.Canonicalize(conversation.ToJson()));

        Assert.Equal(PinnedVectors.ConversationRecordJson[..^1] + ",\"updated\":\"2024-05-02T08:30:00Z\"}", json);
        Assert.Equal(PinnedVectors.ConversationId, conversation.Id);
        Assert.Equal(conversation, ConversationRecord.FromJson(JsonNode.Parse(json)!.AsObject()));
        Assert.Null(ConversationRecord.FromJson(JsonNode.Parse(PinnedVectors.ConversationRecordJson)!.AsObject()).Updated);
    }

    [Fact]
    public void PinnedVectors_EveryId_IsSha256OfItsJsonBytes()
    {
        Assert.All(PinnedVectors.Hashed, v =>
            Assert.Equal(v.Id, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(v.Json)))));
    }

    [Fact]
    public void PinnedVectors_EveryJson_IsAlreadyCanonical()
    {
        Assert.All(PinnedVectors.Hashed.Select(v => v.Json).Append(PinnedVectors.ConversationRecordJson), json =>
            Assert.Equal(json, CanonicalJson.Canonicalize(json)));
    }

    [Fact]
    public void PinnedVectors_Chain_LinksEachNodeToItsParentAndModel()
    {
        Assert.Null(PinnedVectors.Root().Parent);
        Assert.Equal(PinnedVectors.Root().ComputeId(), PinnedVectors.User().Parent);
        Assert.Equal(PinnedVectors.User().ComputeId(), PinnedVectors.Assistant().Parent);
        Assert.Equal(PinnedVectors.Model().Id, PinnedVectors.Assistant().Generation!.Model);
    }

    [Fact]
    public void PinnedNodes_ParsedFromJson_ReproduceTheirBytes()
    {
        Assert.All([PinnedVectors.RootJson, PinnedVectors.UserJson, PinnedVectors.AssistantJson], json =>
        {
            var node = Node.FromCanonicalBytes(Encoding.UTF8.GetBytes(json));
            Assert.Equal(json, Encoding.UTF8.GetString(node.ToCanonicalBytes()));
        });
        var model = ModelReference.FromJson(JsonNode.Parse(PinnedVectors.ModelJson)!.AsObject());
        Assert.Equal(PinnedVectors.ModelId, model.Id);
        var conversation = ConversationRecord.FromJson(JsonNode.Parse(PinnedVectors.ConversationRecordJson)!.AsObject());
        Assert.Equal(PinnedVectors.ConversationId, conversation.Id);
    }

    [Fact]
    public void HashContractDoc_Always_ContainsEveryPinnedVector()
    {
        var root = Amber.Testing.RepositoryRoot.Path;
        var doc = File.ReadAllText(Path.Combine(root, "docs", "format", "hash-contract.md"));

        Assert.All(PinnedVectors.Hashed.SelectMany(v => new[] { v.Json, v.Id }).Append(PinnedVectors.ConversationRecordJson), literal =>
            Assert.Contains(literal, doc, StringComparison.Ordinal));
    }
}
