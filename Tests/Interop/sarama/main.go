// sarama-check: produces N messages with Debian's sarama (a Go Kafka client), then reads them back by
// partition consumer and prints "ok N" when every value came back in order.
// Usage: sarama-check BROKER TOPIC N
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/Shopify/sarama"
)

func main() {
	broker, topic := os.Args[1], os.Args[2]
	n, _ := strconv.Atoi(os.Args[3])
	config := sarama.NewConfig()
	config.Version = sarama.V2_1_0_0
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Return.Successes = true
	config.Producer.Compression = sarama.CompressionSnappy
	producer, err := sarama.NewSyncProducer([]string{broker}, config)
	if err != nil {
		fmt.Println("producer:", err)
		os.Exit(1)
	}
	messages := make([]*sarama.ProducerMessage, 0, n)
	for i := 0; i < n; i++ {
		messages = append(messages, &sarama.ProducerMessage{
			Topic: topic, Partition: 0, Key: sarama.StringEncoder(fmt.Sprintf("k%d", i)),
			Value:   sarama.StringEncoder(fmt.Sprintf("sarama-%d", i)),
			Headers: []sarama.RecordHeader{{Key: []byte("h"), Value: []byte("v")}},
		})
	}
	if err := producer.SendMessages(messages); err != nil {
		fmt.Println("send:", err)
		os.Exit(1)
	}
	producer.Close()
	consumer, err := sarama.NewConsumer([]string{broker}, config)
	if err != nil {
		fmt.Println("consumer:", err)
		os.Exit(1)
	}
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		fmt.Println("partition:", err)
		os.Exit(1)
	}
	timeout := time.After(30 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case m := <-pc.Messages():
			if string(m.Value) != fmt.Sprintf("sarama-%d", i) || m.Offset != int64(i) {
				fmt.Printf("mismatch at %d: %s offset %d\n", i, m.Value, m.Offset)
				os.Exit(1)
			}
		case <-timeout:
			fmt.Println("timed out at", i)
			os.Exit(1)
		}
	}
	pc.Close()
	consumer.Close()
	fmt.Println("ok", n)
}
