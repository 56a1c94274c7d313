// sarama-group: one member of a Kafka consumer group, driven by Tests/Interop/test_groups.py.
// It subscribes to TOPIC in GROUP (range assignor, session timeout 6 s, heartbeat 1 s, oldest offset
// when nothing is committed) and prints one JSON object a line on stdout:
//
//	{"e":"assigned","p":[...]}        the member's whole assignment after every change ([] on revoke)
//	{"e":"rec","p":P,"o":O,"k":K,"v":V} every record handed to the application (then marked for commit)
//	{"e":"error","msg":...}           errors reported by the client
//	{"e":"closed"}                    after the group was left and the client closed
//
// With MAX > 0 it stops by itself after MAX records (marking only those); SIGTERM stops it too. Offsets
// are committed by sarama's offset manager (every 100 ms here) and flushed when a session ends.
// Usage: sarama-group BROKER TOPIC GROUP [MAX]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/Shopify/sarama"
)

var (
	outLock sync.Mutex
	count   int
	limit   int
	reached = make(chan struct{})
)

func emit(event map[string]interface{}) {
	line, _ := json.Marshal(event)
	outLock.Lock()
	os.Stdout.Write(append(line, '\n'))
	outLock.Unlock()
}

type handler struct{ topic string }

func (h handler) Setup(session sarama.ConsumerGroupSession) error {
	partitions := append([]int32{}, session.Claims()[h.topic]...)
	sort.Slice(partitions, func(i, j int) bool { return partitions[i] < partitions[j] })
	emit(map[string]interface{}{"e": "assigned", "p": partitions, "gen": session.GenerationID()})
	return nil
}

func (h handler) Cleanup(session sarama.ConsumerGroupSession) error {
	emit(map[string]interface{}{"e": "assigned", "p": []int32{}})
	return nil
}

func (h handler) ConsumeClaim(session sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for message := range claim.Messages() {
		outLock.Lock()
		if limit > 0 && count >= limit {
			outLock.Unlock()
			continue
		}
		line, _ := json.Marshal(map[string]interface{}{
			"e": "rec", "p": message.Partition, "o": message.Offset, "k": string(message.Key), "v": string(message.Value),
		})
		os.Stdout.Write(append(line, '\n'))
		session.MarkMessage(message, "")
		count++
		if limit > 0 && count == limit {
			close(reached)
		}
		outLock.Unlock()
	}
	return nil
}

func main() {
	broker, topic, group := os.Args[1], os.Args[2], os.Args[3]
	if len(os.Args) > 4 {
		limit, _ = strconv.Atoi(os.Args[4])
	}
	sarama.Logger = log.New(os.Stderr, "[sarama] ", log.Lmicroseconds)
	config := sarama.NewConfig()
	config.Version = sarama.V2_1_0_0
	config.ClientID = "sarama-group"
	config.Consumer.Return.Errors = true
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	config.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	config.Consumer.Group.Rebalance.Strategy = sarama.BalanceStrategyRange
	config.Consumer.Group.Session.Timeout = 6 * time.Second
	config.Consumer.Group.Heartbeat.Interval = 1 * time.Second
	config.Consumer.Group.Rebalance.Timeout = 20 * time.Second
	config.Consumer.MaxWaitTime = 250 * time.Millisecond
	consumerGroup, err := sarama.NewConsumerGroup([]string{broker}, group, config)
	if err != nil {
		emit(map[string]interface{}{"e": "error", "msg": "new group: " + err.Error()})
		os.Exit(1)
	}
	go func() {
		for err := range consumerGroup.Errors() {
			emit(map[string]interface{}{"e": "error", "msg": err.Error()})
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case <-signals:
		case <-reached:
		}
		cancel()
	}()
	for ctx.Err() == nil {
		if err := consumerGroup.Consume(ctx, []string{topic}, handler{topic}); err != nil {
			emit(map[string]interface{}{"e": "error", "msg": "consume: " + err.Error()})
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	if err := consumerGroup.Close(); err != nil {
		emit(map[string]interface{}{"e": "error", "msg": "close: " + err.Error()})
		fmt.Fprintln(os.Stderr, "close:", err)
		os.Exit(1)
	}
	emit(map[string]interface{}{"e": "closed"})
}
