#!/usr/bin/env python3
"""Which packages a running exodns's resident binary pages belong to.

usage: python3 hack/resident-pages.py PID BINARY   (as root)

Reads /proc/PID/maps and /proc/PID/pagemap, and gives each resident page of
BINARY's mappings to the package owning most of its bytes (go tool nm); pages
with no symbol are .gopclntab and other tables. Used for issue 13's question of
how much of the RSS is the binary's own pages, and whose (bench/resident-pages.txt).
"""
import sys,struct,re,collections,subprocess
pid=int(sys.argv[1]); exe=sys.argv[2]
# symbols sorted by address
syms=[]
for line in subprocess.run(['go','tool','nm','-size','-sort','address',exe],capture_output=True,text=True).stdout.splitlines():
    f=line.split(None,3)
    if len(f)<4 or f[2] not in 'TtRrDdBb': continue
    syms.append((int(f[0],16),int(f[1]),f[3]))
import bisect
addrs=[s[0] for s in syms]
def group(name):
    n=re.sub(r'^(type:|go:itab\.|\*|\[\]|map\.|noalg\.|\(|type:\.eq\.)+','',name.strip())
    m=re.match(r'((?:[\w.\-]+/)*[\w\-]+)',n); p=m.group(1) if m else n
    parts=p.split('/')
    if p.startswith('github.com/aws/'): return 'aws-sdk'
    if p.startswith('k8s.io/api/'): return 'k8s.io/api'
    if p.startswith('k8s.io/'): return 'k8s.io/other'
    if p.startswith('github.com/exodns'): return 'exodns'
    if '.' in parts[0]: return '/'.join(parts[:3])
    return 'std:'+parts[0]
pm=open(f'/proc/{pid}/pagemap','rb')
res=collections.Counter()
for line in open(f'/proc/{pid}/maps'):
    f=line.split()
    if len(f)<6 or not f[5].endswith(exe.split('/')[-1]): continue
    a,b=[int(x,16) for x in f[0].split('-')]
    for page in range(a,b,4096):
        pm.seek(page//4096*8); v=struct.unpack('<Q',pm.read(8))[0]
        if not (v>>63)&1: continue
        i=bisect.bisect_right(addrs,page)-1
        # attribute the page to symbols overlapping it, by bytes
        j=max(i,0); owner=collections.Counter()
        while j<len(syms) and syms[j][0]<page+4096:
            s0,sz,nm=syms[j]
            lo=max(s0,page); hi=min(s0+max(sz,1),page+4096)
            if hi>lo: owner[group(nm)]+=hi-lo
            j+=1
        if owner:
            g=owner.most_common(1)[0][0]
        else:
            g='(no symbol: pclntab etc.)'
        res[g]+=4096
tot=sum(res.values())
print('resident binary pages %.1f MiB'%(tot/2**20))
for g,v in res.most_common(25): print('%6.2f MiB %s'%(v/2**20,g))
