import NIOCore
import PlexusBroker
import PlexusKafkaWire
import PlexusModel
import PlexusStorage

/// Consumer groups on the Kafka wire: the coordinator APIs map onto the broker's protocol-neutral
/// ``GroupCoordinator`` (membership) and ``OffsetStore`` (committed offsets). This node coordinates every
/// group.
extension KafkaRequestProcessor {
    static func code(_ error: PlexusError.Code?) -> Int16 { error?.kafkaErrorCode ?? 0 }

    /// OFFSET_METADATA_TOO_LARGE.
    static let offsetMetadataTooLarge: Int16 = 12

    // MARK: FindCoordinator

    func findCoordinator(_ request: FindCoordinatorRequest, version: Int16) -> FindCoordinatorResponse {
        var response = FindCoordinatorResponse()
        // Groups (key type 0) are coordinated here; transactions (1) are not served.
        let error: Int16 = request.keyType == 0 ? 0 : PlexusError.Code.coordinatorNotAvailable.kafkaErrorCode
        if version >= 4 {
            response.coordinators = request.coordinatorKeys.map { key in
                .init(
                    key: key,
                    nodeId: error == 0 ? configuration.nodeId : -1,
                    host: error == 0 ? configuration.advertisedHost : "",
                    port: error == 0 ? configuration.advertisedPort : -1,
                    errorCode: error,
                    errorMessage: nil
                )
            }
        } else {
            response.errorCode = error
            response.nodeId = error == 0 ? configuration.nodeId : -1
            response.host = error == 0 ? configuration.advertisedHost : ""
            response.port = error == 0 ? configuration.advertisedPort : -1
        }
        return response
    }

    // MARK: Membership

    func joinGroup(
        _ request: JoinGroupRequest,
        header: RequestHeader,
        version: Int16,
        clientHost: String = ""
    ) async -> JoinGroupResponse {
        let join = GroupJoinRequest(
            memberID: request.memberId,
            groupInstanceID: request.groupInstanceId,
            clientID: header.clientId ?? "",
            clientHost: clientHost,
            sessionTimeoutMs: request.sessionTimeoutMs,
            rebalanceTimeoutMs: version >= 1 ? request.rebalanceTimeoutMs : -1,
            protocolType: request.protocolType,
            protocols: request.protocols.map { GroupProtocol(name: $0.name, metadata: $0.metadata) },
            requiresKnownMemberID: version >= 4 && request.groupInstanceId == nil
        )
        let result = await broker.groups.join(groupID: request.groupId, join)
        var response = JoinGroupResponse()
        response.errorCode = Self.code(result.error)
        response.generationId = result.generationID
        response.protocolType = result.protocolType
        // Before v7 the protocol name is not nullable: an error answers "".
        response.protocolName = result.protocolName ?? (version >= 7 ? nil : "")
        response.leader = result.leaderID
        response.memberId = result.memberID
        response.members = result.members.map {
            .init(memberId: $0.memberID, groupInstanceId: $0.groupInstanceID, metadata: $0.metadata)
        }
        return response
    }

    func syncGroup(_ request: SyncGroupRequest, version: Int16) async -> SyncGroupResponse {
        var assignments: [String: ByteBuffer] = [:]
        for assignment in request.assignments { assignments[assignment.memberId] = assignment.assignment }
        let sync = GroupSyncRequest(
            memberID: request.memberId,
            groupInstanceID: request.groupInstanceId,
            generationID: request.generationId,
            protocolType: request.protocolType,
            protocolName: request.protocolName,
            assignments: assignments
        )
        let result = await broker.groups.sync(groupID: request.groupId, sync)
        var response = SyncGroupResponse()
        response.errorCode = Self.code(result.error)
        response.protocolType = result.protocolType
        response.protocolName = result.protocolName
        response.assignment = result.assignment
        return response
    }

    func heartbeat(_ request: HeartbeatRequest) -> HeartbeatResponse {
        let error = broker.groups.heartbeat(
            groupID: request.groupId,
            GroupHeartbeatRequest(
                memberID: request.memberId,
                groupInstanceID: request.groupInstanceId,
                generationID: request.generationId
            )
        )
        return HeartbeatResponse(errorCode: Self.code(error))
    }

    func leaveGroup(_ request: LeaveGroupRequest, version: Int16) -> LeaveGroupResponse {
        let leaving =
            version >= 3
            ? request.members.map { GroupMemberIdentity(memberID: $0.memberId, groupInstanceID: $0.groupInstanceId) }
            : [GroupMemberIdentity(memberID: request.memberId)]
        let result = broker.groups.leave(groupID: request.groupId, members: leaving)
        var response = LeaveGroupResponse()
        if version >= 3 {
            response.errorCode = Self.code(result.error)
            response.members = result.members.map {
                .init(memberId: $0.memberID, groupInstanceId: $0.groupInstanceID, errorCode: Self.code($0.error))
            }
        } else {
            response.errorCode = Self.code(result.error ?? result.members.first?.error)
        }
        return response
    }

    // MARK: Offsets

    func offsetCommit(_ request: OffsetCommitRequest, version: Int16) async -> OffsetCommitResponse {
        var response = OffsetCommitResponse()
        response.topics = request.topics.map { topic in
            .init(name: topic.name, partitions: topic.partitions.map { .init(partitionIndex: $0.partitionIndex) })
        }
        func answerAll(_ code: Int16) -> OffsetCommitResponse {
            var all = response
            for t in all.topics.indices {
                for p in all.topics[t].partitions.indices { all.topics[t].partitions[p].errorCode = code }
            }
            return all
        }
        guard let offsets = broker.offsets else {
            return answerAll(PlexusError.Code.coordinatorNotAvailable.kafkaErrorCode)
        }
        // v0 has no generation: it is a simple (non-member) commit, as generation -1.
        let generation = version >= 1 ? request.generationIdOrMemberEpoch : -1
        if let error = broker.groups.validateOffsetCommit(
            groupID: request.groupId,
            memberID: version >= 1 ? request.memberId : "",
            groupInstanceID: request.groupInstanceId,
            generationID: generation
        ) {
            return answerAll(error.kafkaErrorCode)
        }
        var commits: [OffsetStore.Commit] = []
        var slots: [(t: Int, p: Int)] = []
        for (t, topic) in request.topics.enumerated() {
            for (p, partition) in topic.partitions.enumerated() {
                guard let name = try? TopicName(topic.name),
                    broker.logs.partition(name, PartitionID(partition.partitionIndex)) != nil
                else {
                    response.topics[t].partitions[p].errorCode = PlexusError.Code.unknownTopicOrPartition.kafkaErrorCode
                    continue
                }
                commits.append(
                    OffsetStore.Commit(
                        topic: name,
                        partition: PartitionID(partition.partitionIndex),
                        offset: partition.committedOffset,
                        leaderEpoch: version >= 6 ? partition.committedLeaderEpoch : -1,
                        metadata: partition.committedMetadata
                    )
                )
                slots.append((t, p))
            }
        }
        let results = await offsets.commit(
            group: request.groupId,
            offsets: commits,
            now: PartitionLog.wallClockMilliseconds()
        )
        for (slot, error) in zip(slots, results) {
            guard let error else { continue }
            let code: Int16
            switch error {
            case .metadataTooLarge: code = Self.offsetMetadataTooLarge
            case .invalidGroupID: code = PlexusError.Code.invalidGroupID.kafkaErrorCode
            case .storage(let failure): code = Self.coordinatorCode(failure)
            }
            response.topics[slot.t].partitions[slot.p].errorCode = code
        }
        return response
    }

    func offsetFetch(_ request: OffsetFetchRequest, version: Int16) -> OffsetFetchResponse {
        var response = OffsetFetchResponse()
        guard let offsets = broker.offsets else {
            response.errorCode = PlexusError.Code.coordinatorNotAvailable.kafkaErrorCode
            return response
        }
        // v2+: a null topic list asks for every committed partition of the group.
        let wanted: [OffsetStore.TopicPartition]? = request.topics.map { topics in
            topics.flatMap { topic in
                topic.partitionIndexes.compactMap { index in
                    (try? TopicName(topic.name)).map { OffsetStore.TopicPartition($0, PartitionID(index)) }
                }
            }
        }
        let committed = offsets.fetch(group: request.groupId, partitions: wanted)
        func partition(_ index: Int32, _ value: OffsetStore.Committed?)
            -> OffsetFetchResponse.OffsetFetchResponsePartition
        {
            .init(
                partitionIndex: index,
                committedOffset: value?.offset ?? -1,
                committedLeaderEpoch: value?.leaderEpoch ?? -1,
                metadata: value.map { $0.metadata ?? "" } ?? "",
                errorCode: 0
            )
        }
        if let topics = request.topics {
            response.topics = topics.map { topic in
                .init(
                    name: topic.name,
                    partitions: topic.partitionIndexes.map { index in
                        let key = (try? TopicName(topic.name)).map {
                            OffsetStore.TopicPartition($0, PartitionID(index))
                        }
                        let value = key.flatMap { committed[$0] }
                        return partition(index, value.flatMap { $0.offset >= 0 ? $0 : nil })
                    }
                )
            }
        } else {
            var byTopic: [String: [OffsetFetchResponse.OffsetFetchResponsePartition]] = [:]
            for (key, value) in committed.sorted(by: { $0.key < $1.key }) where value.offset >= 0 {
                byTopic["\(key.topic)", default: []].append(partition(Int32(key.partition.rawValue), value))
            }
            response.topics = byTopic.keys.sorted().map { .init(name: $0, partitions: byTopic[$0]!) }
        }
        return response
    }

    func offsetDelete(_ request: OffsetDeleteRequest) async -> OffsetDeleteResponse {
        var response = OffsetDeleteResponse()
        response.topics = request.topics.map { topic in
            .init(name: topic.name, partitions: topic.partitions.map { .init(partitionIndex: $0.partitionIndex) })
        }
        guard let offsets = broker.offsets else {
            response.errorCode = PlexusError.Code.coordinatorNotAvailable.kafkaErrorCode
            return response
        }
        let group = broker.groups.describeGroup(request.groupId)
        guard group != nil || !offsets.fetch(group: request.groupId).isEmpty else {
            response.errorCode = PlexusError.Code.groupIDNotFound.kafkaErrorCode
            return response
        }
        // As Kafka: offsets of topics a live consumer group subscribes to stay (GROUP_SUBSCRIBED_TO_TOPIC per
        // partition); a non-empty group of another protocol type keeps all of its offsets (NON_EMPTY_GROUP).
        var subscribed: Set<String> = []
        if let group, !group.members.isEmpty {
            guard group.protocolType == "consumer" else {
                response.errorCode = PlexusError.Code.nonEmptyGroup.kafkaErrorCode
                return response
            }
            // Mid-rebalance the subscriptions are not known: every topic counts as subscribed.
            let topics = group.state == .stable ? Self.subscribedTopics(group.members.map(\.metadata)) : nil
            subscribed = topics ?? Set(request.topics.map(\.name))
        }
        var partitions: [OffsetStore.TopicPartition] = []
        for (t, topic) in request.topics.enumerated() {
            for (p, partition) in topic.partitions.enumerated() {
                if subscribed.contains(topic.name) {
                    response.topics[t].partitions[p].errorCode = Self.groupSubscribedToTopic
                } else if let name = try? TopicName(topic.name) {
                    partitions.append(OffsetStore.TopicPartition(name, PartitionID(partition.partitionIndex)))
                }
            }
        }
        do {
            _ = try await offsets.delete(group: request.groupId, partitions: partitions)
        } catch {
            response.errorCode = Self.coordinatorCode(error)
        }
        return response
    }

    /// The code for a failure of the offset store, as Kafka's coordinator answers it: NOT_COORDINATOR for a
    /// storage error or a store shutting down, COORDINATOR_NOT_AVAILABLE when overloaded — both retriable for
    /// every client (the raw storage codes make the Java client's commitSync throw).
    static func coordinatorCode(_ error: PlexusError) -> Int16 {
        error.code == .busy
            ? PlexusError.Code.coordinatorNotAvailable.kafkaErrorCode : PlexusError.Code.notCoordinator.kafkaErrorCode
    }

    /// GROUP_SUBSCRIBED_TO_TOPIC.
    static let groupSubscribedToTopic: Int16 = 86

    /// The topics named by consumer members' subscription metadata (Kafka's ConsumerProtocolSubscription:
    /// `int16 version`, then `[string] topics`, then fields this does not need); nil when one is unreadable.
    static func subscribedTopics(_ metadata: [ByteBuffer]) -> Set<String>? {
        var topics: Set<String> = []
        for var bytes in metadata {
            guard bytes.readInteger(as: Int16.self) != nil, let count = bytes.readInteger(as: Int32.self),
                count >= 0, Int(count) <= bytes.readableBytes / 2
            else { return nil }
            for _ in 0..<count {
                guard let length = bytes.readInteger(as: Int16.self), length >= 0,
                    let topic = bytes.readString(length: Int(length))
                else { return nil }
                topics.insert(topic)
            }
        }
        return topics
    }

    // MARK: Admin

    func listGroups(_ request: ListGroupsRequest, version: Int16) -> ListGroupsResponse {
        var listings: [String: GroupListing] = [:]
        for listing in broker.groups.listGroups() { listings[listing.groupID] = listing }
        // Groups known only by their committed offsets are listed as Empty, as Kafka lists them.
        for group in broker.offsets?.groups() ?? [] where listings[group] == nil {
            listings[group] = GroupListing(groupID: group, protocolType: "", state: .empty)
        }
        let filter = Set(request.statesFilter.map { $0.lowercased() })
        var response = ListGroupsResponse()
        response.groups = listings.values.sorted { $0.groupID < $1.groupID }
            .filter { version < 4 || filter.isEmpty || filter.contains($0.state.rawValue.lowercased()) }
            .map { .init(groupId: $0.groupID, protocolType: $0.protocolType, groupState: $0.state.rawValue) }
        return response
    }

    func describeGroups(_ request: DescribeGroupsRequest) -> DescribeGroupsResponse {
        var response = DescribeGroupsResponse()
        response.groups = request.groups.map { groupID in
            guard let group = broker.groups.describeGroup(groupID) else {
                // A group known only by its committed offsets is Empty (as ListGroups shows it); Kafka
                // describes an unknown group as Dead with no members.
                let state = broker.offsets?.fetch(group: groupID).isEmpty == false ? "Empty" : "Dead"
                return .init(groupId: groupID, groupState: state, authorizedOperations: Int32.min)
            }
            return .init(
                groupId: group.groupID,
                groupState: group.state.rawValue,
                protocolType: group.protocolType,
                protocolData: group.protocolName,
                members: group.members.map {
                    .init(
                        memberId: $0.memberID,
                        groupInstanceId: $0.groupInstanceID,
                        clientId: $0.clientID,
                        clientHost: $0.clientHost,
                        memberMetadata: $0.metadata,
                        memberAssignment: $0.assignment
                    )
                },
                authorizedOperations: Int32.min
            )
        }
        return response
    }

    func deleteGroups(_ request: DeleteGroupsRequest) async -> DeleteGroupsResponse {
        var response = DeleteGroupsResponse()
        let known = Set(broker.groups.listGroups().map(\.groupID))
        for groupID in request.groupsNames {
            var code: Int16 = 0
            if known.contains(groupID) {
                code = Self.code(broker.groups.deleteGroups([groupID]).first?.error)
                // Its committed offsets go too, durably, before the answer.
                if code == 0 {
                    do { _ = try await broker.offsets?.deleteGroup(groupID) } catch {
                        code = Self.coordinatorCode(error)
                    }
                }
            } else if broker.offsets?.fetch(group: groupID).isEmpty == false {
                // A group with only committed offsets: deleting it removes them.
                do { _ = try await broker.offsets?.deleteGroup(groupID) } catch { code = Self.coordinatorCode(error) }
            } else {
                code = PlexusError.Code.groupIDNotFound.kafkaErrorCode
            }
            response.results.append(.init(groupId: groupID, errorCode: code))
        }
        return response
    }
}
