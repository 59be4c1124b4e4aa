package main
import (
 _ "k8s.io/api/core/v1"
 _ "k8s.io/api/networking/v1"
 _ "k8s.io/apimachinery/pkg/apis/meta/v1"
 _ "sigs.k8s.io/yaml"
 _ "github.com/fsnotify/fsnotify"
 _ "github.com/spf13/cobra"
 _ "github.com/spf13/pflag"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "golang.org/x/net/idna"
 _ "github.com/miekg/dns"
)
func main(){}
